use rayon::prelude::*;

fn main() {
    let phrase = vec![vec![60, 64, 67], vec![65], vec![62, 65]];
    let mut notes = 0;
    phrase.par_iter().for_each(|bar| notes += bar.len());
    println!("{notes} notes");
}

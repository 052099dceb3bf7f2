// ANCHOR: all
use std::thread;

fn transpose(part: &mut [u8], semitones: u8) {
    for note in part {
        *note += semitones;
    }
}

fn main() {
    // MIDI note numbers: 60 is middle C.
    let mut violins: Vec<u8> = vec![67, 69, 71, 72];
    let mut violas: Vec<u8> = vec![60, 62, 64, 65];
    let mut cellos: Vec<u8> = vec![48, 50, 52, 53];

    thread::scope(|s| {
        s.spawn(|| transpose(&mut violins, 2));
        s.spawn(|| transpose(&mut violas, 2));
        s.spawn(|| transpose(&mut cellos, 2));
    });

    println!("violins: {violins:?}");
    println!("violas:  {violas:?}");
    println!("cellos:  {cellos:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_section_changes_only_its_own_part() {
        let mut score: Vec<u8> = (40..80).collect();
        thread::scope(|s| {
            for part in score.chunks_mut(10) {
                s.spawn(move || transpose(part, 12));
            }
        });
        assert_eq!(score, (52..92).collect::<Vec<u8>>());
    }
}

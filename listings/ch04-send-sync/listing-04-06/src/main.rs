use std::thread;

// ANCHOR: all
/// A tape of recorded beats that owns its buffer through a raw
/// pointer, the way `Box` and `Vec` do inside std.
struct Tape {
    beats: *mut [u32],
}

impl Tape {
    fn record(beats: Vec<u32>) -> Tape {
        Tape {
            beats: Box::into_raw(beats.into_boxed_slice()),
        }
    }

    fn beats(&self) -> &[u32] {
        // SAFETY: the pointer came from `Box::into_raw` and is freed
        // only in `drop`, so it is valid for as long as `self` is.
        unsafe { &*self.beats }
    }
}

impl Drop for Tape {
    fn drop(&mut self) {
        // SAFETY: we own the allocation and nobody uses it after this.
        drop(unsafe { Box::from_raw(self.beats) });
    }
}

// SAFETY: a `Tape` is the only owner of its buffer and hands out no
// pointer to it that outlives a borrow of the `Tape`, so moving the
// `Tape` to another thread moves the whole buffer with it; and `u32` is
// itself `Send`. Those two facts are what make `Box<[u32]>` `Send`. The
// compiler cannot check this reasoning; it takes our word for it.
unsafe impl Send for Tape {}

fn main() {
    let tape = Tape::record(vec![1, 2, 3, 4]);

    let editor = thread::spawn(move || tape.beats().iter().sum::<u32>());

    let total = editor.join().unwrap();
    println!("editor: the beats on the tape add up to {total}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    fn travels<T: Send + 'static>(value: T) -> T {
        thread::spawn(move || value).join().unwrap()
    }

    #[test]
    fn the_tape_travels_to_another_thread_intact() {
        let tape = travels(Tape::record(vec![120, 96, 72]));
        assert_eq!(tape.beats(), [120, 96, 72]);
    }

    #[test]
    fn the_same_buffer_in_a_box_is_send_without_any_promise() {
        let boxed: Box<[u32]> = travels(vec![120, 96].into_boxed_slice());
        assert_eq!(&*boxed, [120, 96]);
    }
}

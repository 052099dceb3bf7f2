//! What a listing's tests read of source text: the text of one `async fn`,
//! so that a near miss shown on a page (a crate of its own that must not
//! compile) can be held to the listing function it varies, line for line.

/// The text of `async fn name` in `source`: from its first line to the
/// `}` that closes it at the start of a line, with that newline.
///
/// # Panics
///
/// If `source` has no such function, or it never closes.
pub fn function<'a>(source: &'a str, name: &str) -> &'a str {
    let start = [format!("async fn {name}("), format!("async fn {name}<")]
        .iter()
        .find_map(|head| source.find(head.as_str()))
        .unwrap_or_else(|| panic!("no `async fn {name}`"));
    let end = source[start..]
        .find("\n}\n")
        .unwrap_or_else(|| panic!("`async fn {name}` never closes"));
    &source[start..start + end + 3]
}

/// [`function`], without its lines that contain `marker`.
pub fn function_without(source: &str, name: &str, marker: &str) -> String {
    function(source, name)
        .lines()
        .filter(|line| !line.contains(marker))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "fn other() {}\n\
                          /// Docs.\n\
                          async fn conduct<F>(phrase: F) {\n    \
                          let phrase = pin!(phrase);\n    \
                          if true {\n    }\n}\n\
                          async fn after() {\n}\n";

    #[test]
    fn a_function_is_read_from_its_head_to_its_closing_brace() {
        let text = function(SOURCE, "conduct");
        assert!(text.starts_with("async fn conduct<F>"), "{text}");
        assert!(text.ends_with("    }\n}\n"), "{text}");
        assert!(!text.contains("after"), "{text}");
        assert_eq!(function(SOURCE, "after"), "async fn after() {\n}\n");
    }

    #[test]
    fn a_marked_line_is_left_out() {
        let text = function_without(SOURCE, "conduct", "pin!(");
        assert!(!text.contains("pin!("), "{text}");
        assert_eq!(
            text.lines().count(),
            function(SOURCE, "conduct").lines().count() - 1
        );
    }
}

//! `matrix.json`: the schema of [`crate::matrix::Matrix`]. The head is
//! pretty-printed; each pair takes one line, so a committed baseline stays
//! small and its `git diff` shows one line per changed pair.

use crate::matrix::schema::Matrix;

/// The JSON text.
pub fn render(m: &Matrix) -> String {
    let head = Matrix {
        pairs: Vec::new(),
        ..m.clone_head()
    };
    let text = serde_json::to_string_pretty(&head).expect("a matrix serializes");
    // The head ends with `"pairs": []\n}`: put the pairs in, one per line.
    let cut = text
        .rfind("\"pairs\": []")
        .expect("the pairs field is last");
    let mut s = String::with_capacity(text.len() + m.pairs.len() * 2048);
    s.push_str(&text[..cut]);
    s.push_str("\"pairs\": [");
    for (i, p) in m.pairs.iter().enumerate() {
        s.push_str(if i == 0 { "\n    " } else { ",\n    " });
        s.push_str(&serde_json::to_string(p).expect("a pair serializes"));
    }
    s.push_str(if m.pairs.is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    s
}

#[cfg(test)]
mod tests {
    use crate::matrix::testing::small_matrix;
    use crate::matrix::Matrix;

    #[test]
    fn round_trips_with_one_line_per_pair() {
        let m = small_matrix();
        let text = super::render(&m);
        assert_eq!(Matrix::from_json(&text).unwrap(), m);
        assert!(text.lines().count() > m.pairs.len());
        assert!(text
            .lines()
            .any(|l| l.trim_start().starts_with("{\"name\":")));
    }
}

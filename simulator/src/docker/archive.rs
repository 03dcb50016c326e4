//! The one file of a tar archive, as the engine's `GET /containers/{id}/archive` sends it
//! (a ustar stream holding the file named by the request).

/// The content of the first regular file in `tar`; `None` when there is none or the archive
/// is cut short.
pub(super) fn first_file(tar: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    while at + 512 <= tar.len() {
        let header = &tar[at..at + 512];
        if header.iter().all(|&b| b == 0) {
            return None;
        }
        let size = octal(&header[124..136])?;
        let kind = header[156];
        let start = at + 512;
        let end = start.checked_add(size)?;
        // '0' or NUL: a regular file; anything else (a PAX header, a directory) is skipped.
        if kind == b'0' || kind == 0 {
            return tar.get(start..end).map(<[u8]>::to_vec);
        }
        at = start + size.div_ceil(512) * 512;
    }
    None
}

fn octal(field: &[u8]) -> Option<usize> {
    let text: String = field
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect();
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    usize::from_str_radix(text, 8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, size: usize, kind: u8) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let size = format!("{size:011o}\0");
        h[124..136].copy_from_slice(size.as_bytes());
        h[156] = kind;
        h
    }

    #[test]
    fn reads_the_file_after_other_entries() {
        let mut tar = header("PaxHeaders/x", 20, b'x');
        tar.extend(vec![b'p'; 20]);
        tar.extend(vec![0u8; 512 - 20]);
        tar.extend(header(".hlint-outputs", 5, b'0'));
        tar.extend(b"A=1\0B");
        tar.extend(vec![0u8; 512 - 5]);
        tar.extend(vec![0u8; 1024]);
        assert_eq!(first_file(&tar).unwrap(), b"A=1\0B");
    }

    #[test]
    fn refuses_what_is_not_a_whole_archive() {
        assert!(first_file(&[]).is_none());
        assert!(first_file(&[0u8; 1024]).is_none());
        let mut cut = header("f", 100, b'0');
        cut.extend(b"short");
        assert!(first_file(&cut).is_none());
        let mut bad = header("f", 0, b'0');
        bad[124..136].copy_from_slice(b"zzzzzzzzzzz\0");
        assert!(first_file(&bad).is_none());
    }
}

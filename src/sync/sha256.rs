//! SHA-256 of a segment's bytes for its close line: a streaming wrapper over the `sha2` crate
//! (feed bytes with [`Sha256::update`], then [`Sha256::hex`]), so the segment code names one
//! small type.

use sha2::Digest;

/// A running SHA-256 over the bytes fed so far.
#[derive(Clone, Default)]
pub struct Sha256 {
    inner: sha2::Sha256,
}

impl Sha256 {
    pub fn new() -> Sha256 {
        Sha256::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.inner.update(bytes);
    }

    /// The digest of everything fed so far, as 64 lowercase hex digits (the running hash is
    /// not consumed: more may be fed after).
    pub fn hex(&self) -> String {
        let digest = self.inner.clone().finalize();
        let mut out = String::with_capacity(64);
        for byte in digest {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }
}

/// The digest of `bytes` as hex.
#[cfg(test)]
pub fn hex_of(bytes: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(bytes);
    hash.hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests_from_the_standard() {
        assert_eq!(
            hex_of(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex_of(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex_of(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn a_million_letters_match_pythons_hashlib() {
        // python3 -c "import hashlib; print(hashlib.sha256(b'a' * 1000000).hexdigest())"
        assert_eq!(
            hex_of(&vec![b'a'; 1_000_000]),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn feeding_in_pieces_gives_the_same_digest() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = hex_of(&data);
        for split in [1, 3, 63, 64, 65, 500] {
            let mut hash = Sha256::new();
            for piece in data.chunks(split) {
                hash.update(piece);
            }
            assert_eq!(hash.hex(), whole, "pieces of {split}");
        }
    }
}

"""Privacy: access, erasure, restriction and objection requests, retention, the art. 30 record,
art. 14 notices and the log of who read decrypted personal data."""

"""PupilVoice's benchmark: `python -m bench`. Not part of the test suite; see
bench/README.md. Only ever talks to servers it starts itself on 127.0.0.1."""

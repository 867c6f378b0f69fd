"""The end of a record's life: retention with legal holds, and the mission-closure archive.

It stands right of every other app because both touch all of them."""

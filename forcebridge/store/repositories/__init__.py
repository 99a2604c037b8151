"""Reading and writing the store by the names people use, with typed errors.

Functions take the caller's `Session` and never commit: the caller owns the transaction. After
one of them raises AlreadyExists the session must be rolled back, as after any failed flush.
Leases are the exception: each lease call is its own committed transaction (see `leases`).
"""

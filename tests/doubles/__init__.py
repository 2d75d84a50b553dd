"""Test doubles, all in one place, all HAND-WRITTEN (nothing here was produced by a model).

- ``responses``: chat-completion bodies: the seed summary, errors, truncation, refusals;
- ``faults``: a raw threaded HTTP/1.1 server on 127.0.0.1 that misbehaves as scripted;
- ``loopback``: a threaded fake for batches (many requests at once);
- ``leaks``: the autouse guard that fails a test whose logs or files hold a key;
- ``checks``: shared assertions (grounded spans) and a permission helper for root.
"""

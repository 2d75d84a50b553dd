"""The model transport: one ``openai`` client with a base URL, wrapped by instructor, for every provider.

- :mod:`.http`: the raw ``create`` instructor wraps, its transient retries and what each call spent;
- :mod:`.provider_errors`: what a provider's failure means, as one of our errors, with secrets redacted;
- :mod:`.structured`: all coupling to instructor (checked models, the schema sent, re-asks, its exceptions);
- :mod:`.local`: the embedded llama.cpp server on 127.0.0.1.
"""

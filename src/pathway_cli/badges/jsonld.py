"""JSON-LD for credentials: the bundled contexts and RDF dataset canonicalization.

Canonical N-Quads (RDFC-1.0, which pyld calls URDNA2015) are what an ``eddsa-rdfc-2022``
proof signs. The document loader serves only the contexts shipped in ``contexts/``
(listed in ``contexts/index.json``, sources in ``contexts/SOURCES.md``) and refuses every
other URL: verifying a credential never touches the network, and a credential that needs
a context pathway does not hold cannot be verified here.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from pathway_cli.errors import UserError

__all__ = ["CONTEXT_URLS", "UnknownContext", "canonicalize", "load_context", "undefined_terms"]

# Stands for any term the contexts do not define (as the W3C "undefined-terms" context does).
_UNDEFINED = "urn:pathway:undefined-term#"
_KEYWORDS = frozenset({
    "@base", "@container", "@context", "@direction", "@graph", "@id", "@import",
    "@included", "@index", "@json", "@language", "@list", "@nest", "@none", "@prefix",
    "@propagate", "@protected", "@reverse", "@set", "@type", "@value", "@version", "@vocab",
})


class UnknownContext(UserError):
    """A credential refers to a JSON-LD context that is not bundled with pathway."""


@functools.cache
def _index() -> dict[str, str]:
    folder = resources.files(__package__).joinpath("contexts")
    text = folder.joinpath("index.json").read_text("utf-8")
    index: dict[str, str] = json.loads(text)
    return index


CONTEXT_URLS = tuple(sorted(_index()))


@functools.cache
def _context_text(url: str) -> str:
    name = _index()[url]
    return resources.files(__package__).joinpath("contexts").joinpath(name).read_text("utf-8")


def load_context(url: str, options: Any = None) -> dict[str, Any]:
    """pyld document loader: a bundled context, or ``UnknownContext`` (nothing is fetched)."""
    if url not in _index():
        raise UnknownContext(
            f"the credential uses the JSON-LD context {url}, which pathway does not hold",
            hint="pathway never fetches contexts; only credentials built on the W3C "
            "credentials v2 and Open Badges 3.0 contexts can be checked",
        )
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(_context_text(url))}


def canonicalize(document: dict[str, Any]) -> str:
    """The document's canonical N-Quads (RDFC-1.0) using only the bundled contexts."""
    from pyld import jsonld  # imported here: only signing and verifying need it

    _check_contexts(document)
    try:
        result = jsonld.normalize(document, {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": load_context,
        })
    except UnknownContext:
        raise
    except Exception as exc:  # pyld fails in many ways on odd input (even AttributeError)
        unknown = _cause(exc)
        if unknown is not None:
            raise unknown from None
        raise UserError(f"the credential is not valid JSON-LD: {_message(exc)}") from None
    if not isinstance(result, str):
        raise UserError("the credential could not be canonicalized")
    return result


def undefined_terms(document: dict[str, Any]) -> list[str]:
    """Terms of the document that its contexts do not define, sorted.

    JSON-LD drops such a property silently, so a signature would not cover it: a strict
    ("safe mode") verifier refuses the document, and so does pathway. Found by reading the
    document once more with a catch-all ``@vocab`` after its own contexts.
    """
    from pyld import jsonld

    found = sorted({key for key in _keys(document) if key.startswith("@")
                    and key not in _KEYWORDS})
    context = document.get("@context")
    items = list(context) if isinstance(context, list) else [context]
    if any("@vocab" in _definitions(item) for item in items):
        return found  # a context maps every term (the W3C examples context does)
    probe = document | {"@context": [*items, {"@vocab": _UNDEFINED}]}
    try:
        nquads = jsonld.to_rdf(probe, {"format": "application/n-quads",
                                       "documentLoader": load_context})
    except UnknownContext:
        raise
    except Exception as exc:  # as in canonicalize: pyld fails in many ways on odd input
        raise UserError(f"the credential is not valid JSON-LD: {_message(exc)}") from None
    for line in str(nquads).splitlines():
        for part in line.split("<" + _UNDEFINED)[1:]:
            found.append(part.split(">", 1)[0])
    return sorted(set(found))


def _definitions(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        item = load_context(item)["document"]
    if isinstance(item, dict):
        inner = item.get("@context", item)
        return inner if isinstance(inner, dict) else {}
    return {}


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        keys = list(value)
        for key, item in value.items():
            if key != "@context":
                keys += _keys(item)
        return keys
    if isinstance(value, list):
        return [key for item in value for key in _keys(item)]
    return []


def _check_contexts(document: dict[str, Any]) -> None:
    """Refuse a remote context before pyld sees it (a clearer message than pyld's)."""
    context = document.get("@context")
    items = context if isinstance(context, list) else [context]
    for item in items:
        if isinstance(item, str):
            load_context(item)


def _cause(exc: BaseException) -> UnknownContext | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UnknownContext):
            return current
        details = getattr(current, "details", None)
        if isinstance(details, dict):
            cause = details.get("cause")
            if isinstance(cause, BaseException):
                current = cause
                continue
        current = getattr(current, "cause", None) or current.__cause__ or current.__context__
    return None


def _message(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]

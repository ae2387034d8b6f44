"""Catalogue search that forgives: umlauts and their spellings (ü/ue), typos, synonyms and
German compounds ("parken" finds "Bewohnerparkausweis", "Auto" finds Kfz services).

The catalogue of a city holds hundreds of services, not millions, so the index is a small
in-memory structure per process, rebuilt when the catalogue changed (one cheap query tells).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Max
from rapidfuzz import fuzz, process

from .models import Service

# Everyday words people type, mapped to the words the administration uses.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "auto": ("kfz", "fahrzeug", "kraftfahrzeug", "zulassung"),
    "wagen": ("kfz", "fahrzeug"),
    "car": ("kfz", "fahrzeug", "vehicle"),
    "parken": ("parkausweis", "bewohnerparken", "parkerlaubnis", "parking"),
    "parking": ("parkausweis", "bewohnerparken", "parkerlaubnis"),
    "heirat": ("eheschliessung", "trauung", "standesamt", "hochzeit"),
    "heiraten": ("eheschliessung", "trauung", "standesamt", "hochzeit"),
    "hochzeit": ("eheschliessung", "trauung"),
    "wedding": ("eheschliessung", "trauung", "marriage"),
    "umzug": ("ummeldung", "anmeldung", "wohnsitz", "meldebescheinigung"),
    "umziehen": ("ummeldung", "anmeldung", "wohnsitz"),
    "moving": ("ummeldung", "anmeldung", "wohnsitz"),
    "hund": ("hundesteuer", "hundehaltung"),
    "dog": ("hundesteuer", "hundehaltung"),
    "bauen": ("bauantrag", "baugenehmigung"),
    "haus": ("bauantrag", "baugenehmigung"),
    "building": ("bauantrag", "baugenehmigung"),
    "kita": ("kindertagesstaette", "kinderbetreuung", "krippe", "kindergarten"),
    "kindergarten": ("kita", "kindertagesstaette"),
    "schlagloch": ("maengelmelder", "mangel", "strassenschaden"),
    "kaputt": ("maengelmelder", "mangel", "schaden"),
    "muell": ("abfall", "sperrmuell", "abfallentsorgung"),
    "strassenfest": ("sondernutzung", "veranstaltung"),
    "baustelle": ("sondernutzung", "strassensperrung"),
    "grill": ("grillplatz", "freizeitanlage"),
    "grillen": ("grillplatz", "freizeitanlage"),
    "turnhalle": ("sporthalle", "sportstaette"),
    "sport": ("sportstaette", "sporthalle", "sportplatz"),
    "garten": ("gartenkurs", "gartenamt"),
    "schule": ("gastschulbeitrag", "schulanmeldung"),
    "wohnsitz": ("meldebescheinigung", "anmeldung"),
}

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_TOKEN = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ungen", "ung", "en", "er", "es", "e", "n", "s")

WEIGHT_NAME, WEIGHT_KEYWORD, WEIGHT_TEXT = 3.0, 2.0, 1.0


def normalize(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue, ß as ss, other accents dropped."""
    text = text.translate(_UMLAUTS).lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text))


def stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if len(token) - len(suffix) >= 4 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


@dataclass
class _Entry:
    service_id: int
    weighted_tokens: dict[str, float]


class _Index:
    def __init__(self) -> None:
        self.signature: tuple | None = None
        self.entries: list[_Entry] = []
        self.vocabulary: list[str] = []
        self.lock = threading.Lock()

    def rebuild(self, signature: tuple) -> None:
        entries = []
        vocabulary: set[str] = set()
        services = (
            Service.objects.published().prefetch_related("life_situations").select_related("department")
        )
        for service in services:
            weighted: dict[str, float] = {}

            def add(text: str, weight: float, weighted=weighted) -> None:
                for token in tokens(text):
                    weighted[token] = max(weighted.get(token, 0.0), weight)

            add(f"{service.name} {service.name_en}", WEIGHT_NAME)
            add(f"{service.keywords} {service.leika_key}", WEIGHT_KEYWORD)
            add(f"{service.summary} {service.summary_en} {service.department.name}", WEIGHT_TEXT)
            for situation in service.life_situations.all():
                add(f"{situation.name} {situation.name_en}", WEIGHT_TEXT)
            entries.append(_Entry(service.pk, weighted))
            vocabulary.update(weighted)
        self.entries, self.vocabulary, self.signature = entries, sorted(vocabulary), signature


_index = _Index()


def _catalog_signature() -> tuple:
    figures = Service.objects.aggregate(changed=Max("updated_at"), count=Count("id"))
    return (figures["changed"], figures["count"])


def _expand(token: str, vocabulary: list[str]) -> dict[str, float]:
    """Query token → index tokens it may mean, with a confidence factor."""
    variants = {token: 1.0, stem(token): 0.95}
    for synonym in SYNONYMS.get(token, ()) + SYNONYMS.get(stem(token), ()):
        variants.setdefault(synonym, 0.9)
    if len(token) >= 4:
        for match, score, _ in process.extract(
            token, vocabulary, scorer=fuzz.ratio, limit=5, score_cutoff=80
        ):
            variants.setdefault(match, 0.7 * score / 100)
    return variants


def _score(entry: _Entry, expanded: list[dict[str, float]]) -> float:
    total = 0.0
    for variants in expanded:
        best = 0.0
        for word, confidence in variants.items():
            weight = entry.weighted_tokens.get(word)
            if weight is not None:
                best = max(best, weight * confidence)
                continue
            if len(word) >= 4:
                # German compounds: "park" inside "bewohnerparkausweis".
                for candidate, candidate_weight in entry.weighted_tokens.items():
                    if word in candidate:
                        best = max(best, candidate_weight * confidence * 0.6)
        if best == 0.0:
            return 0.0  # every query word must find something
        total += best
    return total


def search_service_ids(query: str, *, limit: int = 50) -> list[int]:
    """Ids of published services matching the query, best first."""
    query_tokens = [t for t in tokens(query) if len(t) >= 2][:8]
    if not query_tokens:
        return []
    signature = _catalog_signature()
    if signature != _index.signature:
        with _index.lock:
            if signature != _index.signature:
                _index.rebuild(signature)
    expanded = [_expand(token, _index.vocabulary) for token in query_tokens]
    scored = [(score, entry.service_id) for entry in _index.entries if (score := _score(entry, expanded)) > 0]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [service_id for _, service_id in scored[:limit]]

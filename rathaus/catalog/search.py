"""Catalogue search that forgives: umlauts and their spellings (ü/ue), typos, synonyms and
German compounds ("parken" finds "Bewohnerparkausweis", "Auto" finds Kfz services).

The catalogue of a city holds hundreds of services, not millions, so the index is a small
in-memory inverted index per process. It is rebuilt when the catalogue changed: saves in this
process invalidate it at once (signals), changes made by other processes are noticed by one
cheap aggregate query at most every ``SIGNATURE_TTL`` seconds.

Ranking: every query word is expanded into index words it may mean (exact, stem, synonym,
part of a compound, typo) with a confidence; a service scores, per query word, its best match
(field weight × confidence) plus a quarter of its matches in other fields, so a service that
has the word in its name *and* its keywords beats one that only mentions it once. Every query
word must match; when none does for all, services matching most words are shown.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import defaultdict

from django.db.models import Count, Max, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from rapidfuzz import fuzz, process

from rathaus.accounts.models import Department

from .models import LifeSituation, Service

# Everyday words people type, mapped to the words the administration uses (all normalised:
# lower case, ae/oe/ue/ss). Keys are matched as typed and as stems.
SYNONYMS: dict[str, tuple[str, ...]] = {
    # car and traffic
    "auto": ("kfz", "fahrzeug", "kraftfahrzeug", "pkw", "zulassung"),
    "autos": ("kfz", "fahrzeug", "kraftfahrzeug", "pkw"),
    "wagen": ("kfz", "fahrzeug", "pkw"),
    "pkw": ("kfz", "fahrzeug"),
    "car": ("kfz", "fahrzeug", "vehicle"),
    "motorrad": ("kfz", "fahrzeug"),
    "kennzeichen": ("kfz", "zulassung"),
    "parken": ("parkausweis", "bewohnerparken", "parkerlaubnis", "parking"),
    "parkplatz": ("parkausweis", "bewohnerparken", "parken"),
    "anwohnerparken": ("bewohnerparkausweis", "bewohnerparken"),
    "parking": ("parkausweis", "bewohnerparken", "parkerlaubnis"),
    # marriage
    "heirat": ("eheschliessung", "trauung", "trautermin", "standesamt", "hochzeit"),
    "heiraten": ("eheschliessung", "trauung", "trautermin", "standesamt", "hochzeit"),
    "hochzeit": ("eheschliessung", "trauung", "trautermin"),
    "trauen": ("trauung", "eheschliessung"),
    "ehe": ("eheschliessung", "trauung"),
    "wedding": ("eheschliessung", "trauung", "marriage"),
    "marry": ("eheschliessung", "trauung", "marriage"),
    # moving house
    "umzug": ("ummeldung", "anmeldung", "wohnsitz"),
    "umziehen": ("ummeldung", "anmeldung", "wohnsitz"),
    "umgezogen": ("ummeldung", "anmeldung", "wohnsitz"),
    "ummelden": ("ummeldung", "anmeldung", "wohnsitz"),
    "wohnung": ("wohnsitz", "anmeldung"),
    "adresse": ("wohnsitz", "anmeldung", "ummeldung"),
    "moving": ("ummeldung", "anmeldung", "wohnsitz"),
    "move": ("ummeldung", "anmeldung", "wohnsitz"),
    "address": ("wohnsitz", "anmeldung", "ummeldung"),
    # dogs
    "hund": ("hundesteuer", "hundehaltung"),
    "hunde": ("hundesteuer", "hundehaltung"),
    "dog": ("hundesteuer", "hundehaltung", "hund"),
    "dogs": ("hundesteuer", "hundehaltung", "hund"),
    # building
    "bauen": ("bauantrag", "baugenehmigung"),
    "haus": ("bauantrag", "baugenehmigung"),
    "hausbau": ("bauantrag", "baugenehmigung"),
    "building": ("bauantrag", "baugenehmigung"),
    "build": ("bauantrag", "baugenehmigung"),
    # children, school
    "kita": ("kindertagesstaette", "kinderbetreuung", "krippe", "kindergarten"),
    "kindergarten": ("kita", "kindertagesstaette", "kinderbetreuung"),
    "krippe": ("kita", "kinderkrippe", "kinderbetreuung"),
    "kinderbetreuung": ("kita", "kindergarten"),
    "schule": ("gastschulbeitrag", "schulanmeldung", "gastschulverhaeltnis"),
    "ferien": ("ferienprogramm", "ferienbetreuung"),
    # defects, waste
    "schlagloch": ("maengelmelder", "mangel", "strassenschaden"),
    "kaputt": ("maengelmelder", "mangel", "schaden"),
    "defekt": ("maengelmelder", "mangel", "schaden"),
    "laterne": ("maengelmelder", "strassenlaterne"),
    "schaden": ("maengelmelder", "mangel"),
    "muell": ("abfall", "sperrmuell", "abfallentsorgung"),
    "moebel": ("sperrmuell",),
    # roads, events
    "strassenfest": ("sondernutzung", "veranstaltung"),
    "baustelle": ("sondernutzung", "strassensperrung"),
    "geruest": ("sondernutzung",),
    "fest": ("veranstaltung", "strassenfest"),
    "party": ("veranstaltung", "strassenfest"),
    "event": ("veranstaltung",),
    "boeller": ("feuerwerk",),
    # leisure, sports, gardens
    "grill": ("grillplatz", "freizeitanlage"),
    "grillen": ("grillplatz", "freizeitanlage"),
    "bbq": ("grillplatz",),
    "barbecue": ("grillplatz",),
    "turnhalle": ("sporthalle", "sportstaette"),
    "sport": ("sportstaette", "sporthalle", "sportplatz"),
    "halle": ("sporthalle", "sportstaette"),
    "garten": ("gartenkurs", "gartenamt"),
    "baum": ("baumfaellung", "baumschutz"),
    # documents
    "ausweis": ("personalausweis",),
    "perso": ("personalausweis",),
    "pass": ("reisepass",),
    "id": ("personalausweis",),
    "passport": ("reisepass",),
    "urkunde": ("geburtsurkunde",),
    "firma": ("gewerbeanmeldung", "gewerbe"),
    "selbststaendig": ("gewerbeanmeldung", "gewerbe"),
    "business": ("gewerbeanmeldung", "gewerbe"),
    "miete": ("wohngeld", "mietzuschuss"),
    "gefunden": ("fundbuero", "fundsache"),
    "verloren": ("fundbuero", "fundsache"),
}

# Words that carry no meaning in a search ("Ich möchte meinen Hund anmelden").
_STOPWORD_TEXT = (
    "ich du er sie es wir ihr mein meine meinen meinem meiner mich mir will moechte moechten "
    "brauche brauchen wie wo was wann der die das den dem des ein eine einen einem einer und oder "
    "fuer mit von zu zum zur im in an am auf bei beim nach ist sind bin hat habe haben kann "
    "i my me a an the to for of in on at and or how do can want need is are"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_TOKEN = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ungen", "ung", "en", "er", "es", "e", "n", "s")

# Fields of a service and their weight in the ranking.
NAME, KEYWORDS, TEXT = 0, 1, 2
FIELD_WEIGHTS = (3.0, 2.0, 1.0)
OTHER_FIELD_SHARE = 0.25

CONFIDENCE_STEM = 0.95
CONFIDENCE_SYNONYM = 0.9
CONFIDENCE_TYPO = 0.8  # times the similarity
PREFIX_FACTOR = 0.7  # "hund" at the start of "hundesteuer"
INFIX_FACTOR = 0.6  # "park" inside "bewohnerparkausweis"
SHORT_INFIX_FACTOR = 0.4  # a short word inside another is often chance: "sport" in "passport"
PART_FACTOR = 0.5  # the query is a compound of an index word: "hundesteuermarke" ⊃ "hundesteuer"
MIN_PART_LENGTH = 4

# Results scoring below this share of the best one are chance hits ("parken" → "Stadtpark").
RELATIVE_CUTOFF = 0.25

MAX_QUERY_CHARS = 500
MAX_QUERY_TOKENS = 8
SIGNATURE_TTL = 2.0  # seconds between checks whether another process changed the catalogue
_EXPANSION_CACHE_SIZE = 4096


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


def typo_cutoff(token: str) -> float:
    """How similar (rapidfuzz ratio, 0–100) a word must be to count as a typo of an index word.
    Short words need more: "hunde" must not find "runde"."""
    if len(token) <= 5:
        return 88.0
    if len(token) <= 8:
        return 82.0
    return 80.0


def query_tokens(query: str) -> list[str]:
    words = [t for t in tokens(query[:MAX_QUERY_CHARS]) if len(t) >= 2 or t.isdigit()]
    meaningful = [t for t in words if t not in STOPWORDS]
    return list(dict.fromkeys(meaningful))[:MAX_QUERY_TOKENS]


class _Snapshot:
    """One immutable state of the index: built at once, swapped in at once."""

    def __init__(self, services: list[Service] | None = None, signature: tuple | None = None) -> None:
        self.signature = signature
        # The published services themselves (department and life situations loaded): a search
        # answers from memory, without a query.
        self.services: dict[int, Service] = {service.pk: service for service in services or []}
        # index word → [(service id, field)]
        postings: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for service in self.services.values():
            for field, text in _indexed_texts(service):
                for token in tokens(text):
                    postings[token].add((service.pk, field))
        self.postings: dict[str, list[tuple[int, int]]] = {t: sorted(e) for t, e in postings.items()}
        self.vocabulary: list[str] = sorted(self.postings)
        self.expansions: dict[str, dict[str, float]] = {}

    def expand(self, token: str) -> dict[str, float]:
        """Query word → index words it may mean, with a confidence (cached per snapshot)."""
        cached = self.expansions.get(token)
        if cached is not None:
            return cached
        variants: dict[str, float] = {}

        def offer(word: str, confidence: float) -> None:
            if confidence > variants.get(word, 0.0):
                variants[word] = confidence

        stemmed = stem(token)
        direct = {token: 1.0, stemmed: CONFIDENCE_STEM}
        for word in SYNONYMS.get(token, ()) + SYNONYMS.get(stemmed, ()):
            direct.setdefault(word, CONFIDENCE_SYNONYM)
        vocabulary = self.vocabulary
        for word, confidence in direct.items():
            if word in self.postings:
                offer(word, confidence)
            if len(word) >= MIN_PART_LENGTH:
                # German compounds: "park" in "bewohnerparkausweis", "hund" in "hundesteuer".
                for candidate in vocabulary:
                    if candidate != word and word in candidate:
                        if candidate.startswith(word):
                            factor = PREFIX_FACTOR
                        else:
                            factor = INFIX_FACTOR if len(word) >= 6 else SHORT_INFIX_FACTOR
                        offer(candidate, confidence * factor)
        if token not in self.postings and len(token) >= 4:
            for match, score, _ in process.extract(
                token, vocabulary, scorer=fuzz.ratio, limit=5, score_cutoff=typo_cutoff(token)
            ):
                offer(match, CONFIDENCE_TYPO * score / 100)
            if len(token) >= 2 * MIN_PART_LENGTH:
                # The query word is a compound of index words: "hundesteuermarke".
                for candidate in vocabulary:
                    long_enough = len(candidate) >= MIN_PART_LENGTH and 2 * len(candidate) > len(token)
                    if long_enough and candidate in token:
                        offer(candidate, PART_FACTOR)
        if len(self.expansions) >= _EXPANSION_CACHE_SIZE:
            self.expansions.clear()
        self.expansions[token] = variants
        return variants

    def score(self, query: list[str]) -> list[tuple[float, int, int]]:
        """(score, matched query words, service id) for every service matching a query word."""
        totals: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        for token in query:
            best: dict[int, list[float]] = {}
            for word, confidence in self.expand(token).items():
                for service_id, field in self.postings.get(word, ()):
                    fields = best.setdefault(service_id, [0.0, 0.0, 0.0])
                    value = FIELD_WEIGHTS[field] * confidence
                    if value > fields[field]:
                        fields[field] = value
            for service_id, fields in best.items():
                top = max(fields)
                totals[service_id] += top + OTHER_FIELD_SHARE * (sum(fields) - top)
                matched[service_id] += 1
        return [(total, matched[service_id], service_id) for service_id, total in totals.items()]


def _indexed_texts(service: Service) -> tuple[tuple[int, str], ...]:
    department = service.department
    situations = " ".join(f"{s.name} {s.name_en}" for s in service.life_situations.all())
    return (
        (NAME, f"{service.name} {service.name_en}"),
        (KEYWORDS, f"{service.keywords} {service.leika_key}"),
        (TEXT, f"{service.summary} {service.summary_en} {department.name} {department.name_en} {situations}"),
    )


class _Index:
    def __init__(self) -> None:
        self.snapshot = _Snapshot()
        self.checked_at = 0.0
        self.stale = True
        self.lock = threading.Lock()
        self.generation = 0

    def rebuild(self, signature: tuple) -> None:
        services = list(
            Service.objects.published().select_related("department").prefetch_related("life_situations")
        )
        self.snapshot = _Snapshot(services, signature)
        self.generation += 1
        self.stale = False

    # Shortcuts to the current snapshot (tests and the benchmark look at them).
    @property
    def signature(self) -> tuple | None:
        return self.snapshot.signature

    @property
    def expansions(self) -> dict[str, dict[str, float]]:
        return self.snapshot.expansions


_index = _Index()


def invalidate(**_kwargs) -> None:
    """Mark the index of this process stale (the catalogue changed here)."""
    _index.stale = True


for _model in (Service, LifeSituation, Department):
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"catalog-search-save-{_model.__name__}")
    post_delete.connect(invalidate, sender=_model, dispatch_uid=f"catalog-search-delete-{_model.__name__}")
m2m_changed.connect(invalidate, sender=Service.life_situations.through, dispatch_uid="catalog-search-m2m")


def _catalog_signature() -> tuple:
    """Changes by other processes: any save moves the latest ``updated_at``; deleting moves the
    count; (un)publishing by a bulk update moves the published count."""
    figures = Service.objects.aggregate(
        changed=Max("updated_at"), count=Count("id"), published=Count("id", filter=Q(is_published=True))
    )
    return (figures["changed"], figures["count"], figures["published"])


def _current_snapshot() -> _Snapshot:
    now = time.monotonic()
    if _index.stale or now - _index.checked_at > SIGNATURE_TTL:
        with _index.lock:
            if _index.stale or now - _index.checked_at > SIGNATURE_TTL:
                signature = _catalog_signature()
                if _index.stale or signature != _index.signature:
                    _index.rebuild(signature)
                _index.checked_at = time.monotonic()
    return _index.snapshot


def _ranked(query: str, limit: int) -> tuple[_Snapshot, list[int]]:
    if not isinstance(query, str):
        return _Snapshot(), []
    words = query_tokens(query)
    if not words:
        return _Snapshot(), []
    snapshot = _current_snapshot()
    scored = snapshot.score(words)
    if not scored:
        return snapshot, []
    most = max(count for _, count, _ in scored)
    # Every query word must match; failing that, the services matching most of them.
    if most < len(words) and most * 2 < len(words):
        return snapshot, []
    scored = [entry for entry in scored if entry[1] == most]
    floor = RELATIVE_CUTOFF * max(total for total, _, _ in scored)
    scored = [entry for entry in scored if entry[0] >= floor]
    scored.sort(key=lambda entry: (-entry[0], entry[2]))
    return snapshot, [service_id for _, _, service_id in scored[:limit]]


def catalog_version() -> tuple:
    """Changes when this process sees the catalogue change (its own saves at once, other
    processes' within ``SIGNATURE_TTL``): for caches of what is made from the catalogue."""
    snapshot = _current_snapshot()
    return (_index.generation, snapshot.signature)


def search_service_ids(query: str, *, limit: int = 50) -> list[int]:
    """Ids of published services matching the query, best first."""
    return _ranked(query, limit)[1]


def search_services(query: str, *, limit: int = 50) -> list[Service]:
    """Published services matching the query, best first, with department and life situations
    loaded; answered from memory. Treat them as read-only: they are shared between requests."""
    snapshot, ids = _ranked(query, limit)
    return [snapshot.services[service_id] for service_id in ids]

"""The Regensburg demo: departments, one staff member per role, two citizens, one club.

Everything here is invented apart from the public structure of a Bavarian city administration.
"""

DEMO_PASSWORD = "Rathaus-Demo-2026"  # noqa: S105 - demo mode only, printed by make run

BRANDING = {
    "city_name": "Stadt Regensburg",
    "portal_name": "Rathaus Online",
    "primary_colour": "#8a1538",
    "contact_email": "buergerservice@regensburg.example",
    "contact_phone": "0941 507-0",
    "postal_address": "Stadt Regensburg\nRathausplatz 1\n93047 Regensburg",
}

# (code, German name, English name, parent code)
DEPARTMENTS = [
    ("Dir 1", "Direktorium 1 – Oberbürgermeisterin", "Directorate 1 – Lord Mayor", None),
    (
        "Amt 11",
        "Amt für Organisation und Personalentwicklung",
        "Office for Organisation and Staff Development",
        "Dir 1",
    ),
    (
        "Amt 12",
        "Amt für Informations- und Kommunikationstechnik",
        "Office for Information and Communication Technology",
        "Dir 1",
    ),
    ("Amt 20", "Kämmerei", "Treasury", None),
    ("Amt 30", "Rechtsamt", "Legal Office", None),
    (
        "Amt 32",
        "Amt für öffentliche Ordnung und Straßenverkehr",
        "Office for Public Order and Road Traffic",
        None,
    ),
    (
        "Amt 33",
        "Amt für Einwohnerwesen und Bürgerservice",
        "Residents' Registration and Citizen Service",
        None,
    ),
    ("Amt 34", "Standesamt", "Registry Office", None),
    ("Amt 40", "Amt für Schulen", "Schools Office", None),
    ("Amt 45", "Amt für Tagesbetreuung von Kindern", "Office for Day Care of Children", None),
    ("Amt 51", "Amt für Jugend und Familie", "Youth and Family Office", None),
    ("Amt 52", "Sportamt", "Sports Office", None),
    ("Amt 61", "Stadtplanungsamt", "Urban Planning Office", None),
    ("Amt 63", "Bauordnungsamt", "Building Control Office", None),
    ("Amt 66", "Tiefbauamt", "Civil Engineering Office", None),
    ("Amt 67", "Gartenamt", "Parks and Gardens Office", None),
]

# (e-mail, first name, last name, role, department code or None)
STAFF = [
    ("sachbearbeitung@regensburg.example", "Sabine", "Sachs", "caseworker", "Amt 32"),
    ("amtsleitung@regensburg.example", "Anton", "Amtmann", "department_head", "Amt 32"),
    ("sachbearbeitung.standesamt@regensburg.example", "Stefan", "Standl", "caseworker", "Amt 34"),
    ("strategie@regensburg.example", "Greta", "Planer", "strategy_office", None),
    ("controlling@regensburg.example", "Carla", "Controller", "strategy_office", None),
    # the user model has no field for an academic title; it leads the first name
    ("leitung@regensburg.example", "Dr. Lena", "Leitner", "leadership", None),
    ("datenschutz@regensburg.example", "Dana", "Schutz", "data_protection_officer", None),
    ("admin@regensburg.example", "Adrian", "Betrieb", "administrator", None),
]

CITIZENS = [
    {
        "email": "maria.muster@example.org",
        "first_name": "Maria",
        "last_name": "Muster",
        "street": "Maximilianstraße 12",
        "postal_code": "93047",
        "city": "Regensburg",
        "birth_date": "1986-04-17",
        "preferred_language": "de",
    },
    {
        "email": "jonas.beispiel@example.org",
        "first_name": "Jonas",
        "last_name": "Beispiel",
        "street": "Galgenbergstraße 5",
        "postal_code": "93053",
        "city": "Regensburg",
        "birth_date": "1979-11-02",
        "preferred_language": "en",
    },
]

ORGANISATION = {
    "name": "SV Regensburg-Süd e.V.",
    "kind": "club",
    "register_number": "VR 1234",
    "street": "Sportplatzweg 3",
    "postal_code": "93055",
    "city": "Regensburg",
    "email": "vorstand@sv-regensburg-sued.example",
}
ORGANISATION_ADMIN = "jonas.beispiel@example.org"

LEGAL_PAGES = {
    "impressum": (
        "Impressum",
        "Legal notice",
        "Stadt Regensburg\nRathausplatz 1, 93047 Regensburg\n\nDie Stadt Regensburg ist eine Körperschaft des "
        "öffentlichen Rechts. Sie wird vertreten durch die Oberbürgermeisterin.\n\nDies ist eine "
        "Demo-Installation von Rathaus; alle Personen und Vorgänge sind erfunden.",
        "City of Regensburg\nRathausplatz 1, 93047 Regensburg\n\nThe City of Regensburg is a public-law "
        "corporation represented by the Lord Mayor.\n\nThis is a demo installation of Rathaus; all people and "
        "cases are invented.",
    ),
    "datenschutz": (
        "Datenschutzerklärung",
        "Privacy policy",
        "Wir verarbeiten Ihre Daten nur, soweit es für die beantragte Leistung erforderlich ist "
        "(Art. 6 Abs. 1 lit. c und e DSGVO).\n\nJeder Zugriff von Beschäftigten auf Ihre personenbezogenen "
        "Daten wird protokolliert. In Ihrem Konto sehen Sie unter „Wer hat meine Daten eingesehen“, wer wann "
        "zugegriffen hat.\n\nSie können Ihr Konto jederzeit selbst löschen. Ansprechperson: die oder der "
        "behördliche Datenschutzbeauftragte der Stadt.",
        "We process your data only as far as the service you applied for requires "
        "(Art. 6(1)(c) and (e) GDPR).\n\nEvery access by staff to your personal data is logged. In your account, "
        "'Who looked at my data' shows who accessed it and when.\n\nYou can delete your account yourself at any "
        "time. Contact: the city's data protection officer.",
    ),
    "barrierefreiheit": (
        "Erklärung zur Barrierefreiheit",
        "Accessibility statement",
        "Die Stadt Regensburg ist bemüht, ihr Portal im Einklang mit der Barrierefreie-Informationstechnik-"
        "Verordnung (BITV 2.0) barrierefrei zugänglich zu machen.\n\nDas Portal verwendet das KERN-"
        "Designsystem und wird bei jeder Änderung automatisch mit axe-core gegen WCAG 2.1 AA geprüft und ist "
        "vollständig mit der Tastatur bedienbar.\n\nBarrieren melden Sie bitte an die im Impressum genannte "
        "Adresse. Schlichtungsstelle: Durchsetzungsverfahren nach Art. 13 BayBGG.",
        "The City of Regensburg aims to make its portal accessible in accordance with the BITV 2.0.\n\nThe portal "
        "uses the KERN design system, is checked automatically against WCAG 2.1 AA with axe-core on every change "
        "and can be used completely by keyboard.\n\nPlease report barriers to the address in the legal notice.",
    ),
}

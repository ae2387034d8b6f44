"""The Regensburg demo service catalogue: life situations and services of a Bavarian city.

LeiKa keys: the keys for Personalausweis, Geburtsurkunde, Gewerbeanmeldung, Führungszeugnis,
Wohngeld, Bewohnerparkausweis, Hundesteuer and Meldebescheinigung are the national keys as
published in the federal service directory; the others are format-correct (14 digits, "99"
federal prefix) but invented for the demo. Fees are plausible demo values, not a statute book.

Capability flags (form assistant, online submission …) are deliberately not set here: the form
engine sets them through ``rathaus.catalog.services.service_set_capabilities``. Until then every
service honestly shows OZG maturity 1 (information online).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

# (slug, German name, English name, German description, English description)
LIFE_SITUATIONS = [
    (
        "umzug",
        "Umzug",
        "Moving house",
        "Neue Wohnung in Regensburg oder Wegzug: ummelden, Parkausweis, Hund, Sperrmüll.",
        "A new home in Regensburg or moving away: registration, parking permit, dog, bulky waste.",
    ),
    (
        "heirat-und-partnerschaft",
        "Heirat und Partnerschaft",
        "Marriage and partnership",
        "Trauung anmelden, Urkunden und Namensführung.",
        "Registering a wedding, certificates and names.",
    ),
    (
        "kinder-und-familie",
        "Kinder und Familie",
        "Children and family",
        "Geburt, Kinderbetreuung, Ferienprogramm und Unterstützung für Familien.",
        "Birth, day care, holiday programme and support for families.",
    ),
    (
        "bauen-und-wohnen",
        "Bauen und Wohnen",
        "Building and housing",
        "Bauantrag, Baumfällung, Wohngeld.",
        "Building application, tree felling, housing benefit.",
    ),
    (
        "auto-und-verkehr",
        "Auto und Verkehr",
        "Car and traffic",
        "Fahrzeug zulassen, parken, Straße nutzen.",
        "Registering a vehicle, parking, using the road.",
    ),
    (
        "hund-und-haustiere",
        "Hund und Haustiere",
        "Dogs and pets",
        "Hund anmelden, Hundesteuer, Fundtiere.",
        "Registering a dog, dog tax, found animals.",
    ),
    (
        "sport-und-freizeit",
        "Sport und Freizeit",
        "Sports and leisure",
        "Sporthallen, Sportplätze, Grillplätze und Vereinsförderung.",
        "Sports halls and grounds, barbecue areas and support for clubs.",
    ),
    (
        "schule-und-bildung",
        "Schule und Bildung",
        "School and education",
        "Schulbesuch außerhalb Regensburgs, Kurse der Stadt.",
        "Attending school outside Regensburg, courses run by the city.",
    ),
    (
        "veranstaltungen",
        "Veranstaltungen",
        "Events",
        "Straßenfest, Flohmarkt, Feuerwerk: was Sie anmelden und genehmigen lassen müssen.",
        "Street party, flea market, fireworks: what you must register and have approved.",
    ),
    (
        "gewerbe",
        "Gewerbe",
        "Business",
        "Gewerbe anmelden, Straße für Außengastronomie oder Baustelle nutzen.",
        "Registering a business, using the road for outdoor seating or a building site.",
    ),
    (
        "maengel-melden",
        "Mängel melden",
        "Reporting defects",
        "Schlagloch, defekte Laterne, wilder Müll: sagen Sie uns, wo etwas kaputt ist.",
        "Pothole, broken street light, fly-tipping: tell us where something is broken.",
    ),
    (
        "garten-und-natur",
        "Garten und Natur",
        "Gardens and nature",
        "Bäume, Gartenkurse, Grünanlagen.",
        "Trees, gardening courses, parks.",
    ),
    (
        "ausweise-und-dokumente",
        "Ausweise und Dokumente",
        "ID cards and documents",
        "Personalausweis, Reisepass, Urkunden und Bescheinigungen.",
        "Identity card, passport, certificates.",
    ),
    (
        "geld-und-steuern",
        "Geld, Steuern und Zuschüsse",
        "Money, taxes and grants",
        "Steuern der Stadt, Zuschüsse und Sozialleistungen.",
        "City taxes, grants and social benefits.",
    ),
]

ONLINE, COUNTER, POST, PHONE = "online", "counter", "post", "phone"

# One dict per service; "department" is a code from data.DEPARTMENTS, "life_situations" slugs
# from LIFE_SITUATIONS, "required_documents" one document per line.
SERVICES: list[dict] = [
    {
        "slug": "trautermin-eheschliessung-anmelden",
        "leika_key": "99031003001000",
        "name": "Eheschließung anmelden und Trautermin reservieren",
        "name_en": "Registering a marriage and booking a wedding date",
        "summary": "Melden Sie Ihre Eheschließung beim Standesamt an und reservieren Sie einen Trautermin.",
        "summary_en": "Register your intended marriage with the registry office and book a wedding date.",
        "description": (
            "Wer in Regensburg heiraten möchte, meldet die Eheschließung beim Standesamt an. Die Anmeldung "
            "ist frühestens sechs Monate vor der Trauung möglich.\n"
            "Trautermine im Alten Rathaus (Reichssaal-Vorraum) und im Trauzimmer können Sie vorab "
            "reservieren; der Termin wird mit der Anmeldung verbindlich."
        ),
        "description_en": (
            "If you want to marry in Regensburg, register your marriage with the registry office, at the "
            "earliest six months before the wedding.\n"
            "Wedding dates in the Old Town Hall and in the wedding room can be reserved in advance; the "
            "date becomes binding with the registration."
        ),
        "department": "Amt 34",
        "legal_basis": "§§ 11–15 PStG; § 1310 BGB; § 28 PStV",
        "required_documents": (
            "Gültiger Personalausweis oder Reisepass beider Verlobter\n"
            "Beglaubigter Ausdruck aus dem Geburtenregister (nicht älter als sechs Monate)\n"
            "Erweiterte Meldebescheinigung mit Familienstand, falls nicht in Regensburg gemeldet\n"
            "Bei früheren Ehen: Eheurkunde mit Auflösungsvermerk oder Scheidungsurteil"
        ),
        "required_documents_en": (
            "Valid identity card or passport of both partners\n"
            "Certified copy from the birth register (not older than six months)\n"
            "Extended residence certificate with marital status, if not registered in Regensburg\n"
            "For earlier marriages: marriage certificate with dissolution note or divorce decree"
        ),
        "fee_kind": "fixed",
        "fee_amount": "60.00",
        "fee_note": "Trauung außerhalb der Dienstzeit und Urkunden kosten extra.",
        "fee_note_en": "Weddings outside office hours and certificates cost extra.",
        "processing_days": 10,
        "channels": [ONLINE, COUNTER],
        "min_trust_level": "substantial",
        "life_situations": ["heirat-und-partnerschaft"],
        "keywords": (
            "Trauung Trautermin Heirat heiraten Hochzeit Eheschließung Ehe Standesamt Trauzimmer "
            "Lebenspartnerschaft wedding marriage marry"
        ),
    },
    {
        "slug": "sportstaette-nutzen",
        "leika_key": "99135012001000",
        "name": "Sporthalle oder Sportplatz nutzen",
        "name_en": "Booking a sports hall or sports ground",
        "summary": "Vereine, Gruppen und Privatpersonen buchen Hallenzeiten und Plätze der städtischen Sportstätten.",
        "summary_en": "Clubs, groups and individuals book time in the city's sports halls and grounds.",
        "description": (
            "Die städtischen Sporthallen, Sportplätze und Bäder stehen Vereinen, Schulen und Gruppen nach "
            "dem Belegungsplan zur Verfügung. Freie Zeiten können Sie für einzelne Termine oder für eine "
            "Saison beantragen."
        ),
        "description_en": (
            "The city's sports halls, grounds and pools are open to clubs, schools and groups according to "
            "the occupancy plan. You can apply for free slots once or for a whole season."
        ),
        "department": "Amt 52",
        "legal_basis": "Benutzungs- und Entgeltordnung für die städtischen Sportstätten",
        "required_documents": "Bei Vereinen: Nachweis der Vertretungsberechtigung",
        "required_documents_en": "For clubs: proof of authority to represent the club",
        "fee_kind": "rule",
        "fee_rule": {"per": {"field": "hours", "amount": "12.50"}, "min": "12.50"},
        "fee_note": "12,50 € je Hallenstunde; gemeinnützige Jugendgruppen zahlen nichts.",
        "fee_note_en": "€12.50 per hour of hall use; non-profit youth groups pay nothing.",
        "processing_days": 5,
        "channels": [ONLINE, PHONE, POST],
        "min_trust_level": "basic",
        "life_situations": ["sport-und-freizeit"],
        "keywords": (
            "Sportstätte Sporthalle Turnhalle Sportplatz Hallenbelegung Belegungsplan Hallenzeit Verein "
            "Training Fußballplatz sports hall gym pitch"
        ),
    },
    {
        "slug": "bauantrag-digital",
        "leika_key": "99114014001000",
        "name": "Bauantrag digital stellen",
        "name_en": "Submitting a building application digitally",
        "summary": "Baugenehmigung für Neubau, Anbau oder Umbau beantragen, Pläne als PDF hochladen.",
        "summary_en": "Apply for planning permission for a new building, an extension or a conversion; upload plans as PDF.",
        "description": (
            "Für die Errichtung, Änderung und Nutzungsänderung von Gebäuden brauchen Sie in der Regel eine "
            "Baugenehmigung. Den Bauantrag reicht Ihre Entwurfsverfasserin oder Ihr Entwurfsverfasser "
            "digital ein; Lageplan, Bauzeichnungen und Baubeschreibung laden Sie als PDF hoch.\n"
            "Das Bauordnungsamt beteiligt die Nachbarn und Fachstellen und entscheidet mit Bescheid."
        ),
        "description_en": (
            "Erecting, altering or changing the use of a building usually needs planning permission. Your "
            "architect or qualified designer submits the application digitally; the site plan, drawings "
            "and building description are uploaded as PDF.\n"
            "The Building Control Office involves neighbours and specialist bodies and decides by notice."
        ),
        "department": "Amt 63",
        "legal_basis": "BayBO Art. 64, Art. 68; Bauvorlagenverordnung (BauVorlV)",
        "required_documents": (
            "Bauantragsformular, unterschrieben von Bauherrin/Bauherr und Entwurfsverfasser\n"
            "Amtlicher Lageplan (Auszug aus dem Liegenschaftskataster)\n"
            "Bauzeichnungen: Grundrisse, Schnitte, Ansichten (PDF)\n"
            "Baubeschreibung und Berechnung der Wohn- und Nutzfläche\n"
            "Stellplatznachweis\n"
            "Nachweis der Bauvorlageberechtigung"
        ),
        "required_documents_en": (
            "Application form signed by the developer and the designer\n"
            "Official site plan (extract from the land register)\n"
            "Drawings: floor plans, sections, elevations (PDF)\n"
            "Building description and calculation of floor area\n"
            "Proof of parking spaces\n"
            "Proof that the designer is qualified to submit building documents"
        ),
        "fee_kind": "rule",
        "fee_rule": {"per": {"field": "construction_cost_thousands", "amount": "2.00"}, "min": "75.00"},
        "fee_note": "Richtwert: 2 € je 1.000 € Baukosten, mindestens 75 €; maßgeblich ist das Kostenverzeichnis.",
        "fee_note_en": "Guide value: €2 per €1,000 of building costs, at least €75; the schedule of fees applies.",
        "processing_days": 60,
        "channels": [ONLINE, POST, COUNTER],
        "min_trust_level": "substantial",
        "life_situations": ["bauen-und-wohnen"],
        "keywords": (
            "Bauantrag Baugenehmigung bauen Hausbau Neubau Anbau Umbau Dachgeschoss Garage Bauplan "
            "Baueingabe building permit planning permission"
        ),
    },
    {
        "slug": "gartenkurs-anmelden",
        "leika_key": "99135024002000",
        "name": "Gartenkurs anmelden",
        "name_en": "Signing up for a gardening course",
        "summary": "Obstbaumschnitt, Stadtgärtnern, Kompost: Kurse des Gartenamts buchen.",
        "summary_en": "Fruit tree pruning, urban gardening, composting: book a course run by the Parks Office.",
        "description": (
            "Das Gartenamt bietet im Frühjahr und Herbst Kurse im Stadtpark und in der Lehrgärtnerei an. "
            "Ist ein Kurs voll, kommen Sie auf die Warteliste und werden bei einem freien Platz benachrichtigt."
        ),
        "description_en": (
            "The Parks Office runs courses in spring and autumn in the city park and its training nursery. "
            "If a course is full you join the waiting list and are told when a place becomes free."
        ),
        "department": "Amt 67",
        "legal_basis": "Kurs- und Entgeltordnung des Gartenamts",
        "required_documents": "",
        "required_documents_en": "",
        # 15 € per person (the applicant and each companion), 5 € each with the Regensburg Pass.
        "fee_kind": "rule",
        "fee_rule": {
            "per": {
                "field": "companions",
                "add": 1,
                "amount": {"field": "regensburg_pass", "amounts": {"yes": "5.00"}, "default": "15.00"},
            }
        },
        "fee_note": "15 € je Person und Kurs; mit Regensburg-Pass 5 € je Person",
        "fee_note_en": "€15 per person and course; €5 per person with the Regensburg Pass",
        "processing_days": 2,
        "channels": [ONLINE, PHONE],
        "min_trust_level": "basic",
        "life_situations": ["garten-und-natur", "schule-und-bildung"],
        "keywords": "Gartenkurs Kurs Obstbaumschnitt Gärtnern Kompost Warteliste gardening course workshop",
    },
    {
        "slug": "grillplatz-buchen",
        "leika_key": "99135013002000",
        "name": "Grillplatz oder Freizeitanlage buchen",
        "name_en": "Booking a barbecue area or leisure facility",
        "summary": "Reservieren Sie einen städtischen Grillplatz, eine Grillhütte oder eine Freizeitwiese.",
        "summary_en": "Reserve a municipal barbecue area, barbecue hut or leisure meadow.",
        "description": (
            "Die Grillplätze am Donauufer und im Westpark können tageweise reserviert werden. Mit der "
            "Buchung erhalten Sie die Platzordnung und den Schlüssel für den Stromanschluss."
        ),
        "description_en": (
            "The barbecue areas on the Danube bank and in the West Park can be booked by the day. With the "
            "booking you receive the site rules and the key for the power supply."
        ),
        "department": "Amt 67",
        "legal_basis": "Satzung über die Benutzung der städtischen Grün- und Freizeitanlagen",
        "required_documents": "",
        "required_documents_en": "",
        "fee_kind": "fixed",
        "fee_amount": "25.00",
        "fee_note": "je Tag, zuzüglich 50 € Kaution",
        "fee_note_en": "per day, plus a €50 deposit",
        "processing_days": 3,
        "channels": [ONLINE, PHONE],
        "min_trust_level": "basic",
        "life_situations": ["sport-und-freizeit", "garten-und-natur"],
        "keywords": "Grillplatz Grillen Grillhütte Freizeitanlage Freizeitstätte Picknick Feier barbecue BBQ",
    },
    {
        "slug": "kita-platz-voranmelden",
        "leika_key": "99132005001000",
        "name": "Kita-Platz voranmelden",
        "name_en": "Pre-registering for a day-care place (Kita)",
        "summary": "Melden Sie Ihr Kind für Krippe, Kindergarten oder Hort an – für bis zu fünf Wunsch-Einrichtungen.",
        "summary_en": "Register your child for crèche, kindergarten or after-school care at up to five preferred centres.",
        "description": (
            "Mit der zentralen Voranmeldung bewerben Sie sich bei städtischen und freien Kindertagesstätten "
            "gleichzeitig. Die Plätze für September werden im Frühjahr vergeben."
        ),
        "description_en": (
            "The central pre-registration applies to municipal and independent day-care centres at once. "
            "Places for September are allocated in spring."
        ),
        "department": "Amt 45",
        "legal_basis": "§ 24 SGB VIII; Art. 5 BayKiBiG",
        "required_documents": "",
        "required_documents_en": "",
        "fee_kind": "none",
        "fee_note": "Die Elternbeiträge richten sich nach der Gebührensatzung der Einrichtung.",
        "fee_note_en": "Parents' contributions follow the facility's fee regulations.",
        "processing_days": None,
        "channels": [ONLINE, COUNTER],
        "min_trust_level": "basic",
        "life_situations": ["kinder-und-familie"],
        "keywords": (
            "Kita Kindergarten Kinderkrippe Krippe Hort Kindertagesstätte Kinderbetreuung Betreuungsplatz "
            "Tagesmutter childcare nursery daycare"
        ),
    },
    {
        "slug": "gastschulbeitrag",
        "leika_key": "99126013001000",
        "name": "Gastschulverhältnis und Gastschulbeitrag beantragen",
        "name_en": "Applying for a guest pupil place and the guest school fee",
        "summary": "Ihr Kind soll eine Schule außerhalb Regensburgs besuchen: die Stadt prüft die Übernahme des Gastschulbeitrags.",
        "summary_en": "Your child is to attend a school outside Regensburg: the city decides on paying the guest school fee.",
        "description": (
            "Besucht ein Kind aus Regensburg eine öffentliche Schule in einer anderen Gemeinde, muss die "
            "Stadt dem Gastschulverhältnis zustimmen und zahlt den Gastschulbeitrag an den Schulträger."
        ),
        "description_en": (
            "When a child from Regensburg attends a public school in another municipality, the city must "
            "agree and pays the guest school fee to that school's operator."
        ),
        "department": "Amt 40",
        "legal_basis": "Art. 43 BayEUG; Art. 19 BaySchFG",
        "required_documents": "Begründung (z. B. Betreuung, Arbeitsort der Eltern)\nAufnahmebestätigung der Gastschule",
        "required_documents_en": (
            "Reasons (e.g. care arrangements, parents' workplace)\nConfirmation of admission by the guest school"
        ),
        "fee_kind": "none",
        "processing_days": 20,
        "channels": [ONLINE, POST],
        "min_trust_level": "basic",
        "life_situations": ["schule-und-bildung", "kinder-und-familie"],
        "keywords": "Gastschulbeitrag Gastschüler Gastschulverhältnis Schule Schulwechsel Sprengel guest pupil school",
    },
    {
        "slug": "meldebescheinigung",
        "leika_key": "99115003012000",
        "name": "Meldebescheinigung beantragen",
        "name_en": "Requesting a residence certificate",
        "summary": "Bescheinigung über Ihren Wohnsitz, einfach oder erweitert, z. B. für Behörden oder den Arbeitgeber.",
        "summary_en": "Certificate of your registered address, simple or extended, e.g. for authorities or employers.",
        "description": (
            "Die einfache Meldebescheinigung nennt Name, Geburtsdatum und Anschrift. Die erweiterte enthält "
            "weitere Daten wie Familienstand und frühere Anschriften."
        ),
        "description_en": (
            "The simple certificate shows name, date of birth and address. The extended one adds data such "
            "as marital status and former addresses."
        ),
        "department": "Amt 33",
        "legal_basis": "§ 18 BMG",
        "required_documents": "Personalausweis oder Reisepass",
        "required_documents_en": "Identity card or passport",
        "fee_kind": "fixed",
        "fee_amount": "10.00",
        "processing_days": 1,
        "channels": [ONLINE, COUNTER, POST],
        "min_trust_level": "substantial",
        "life_situations": ["umzug", "ausweise-und-dokumente"],
        "keywords": (
            "Meldebescheinigung Wohnsitzbescheinigung Aufenthaltsbescheinigung Meldebestätigung Wohnsitz "
            "residence certificate proof of address"
        ),
    },
    {
        "slug": "hundesteuer-anmeldung",
        "leika_key": "99102013104000",
        "name": "Hund anmelden (Hundesteuer)",
        "name_en": "Registering a dog for dog tax",
        "summary": "Wer in Regensburg einen Hund hält, meldet ihn innerhalb von zwei Wochen zur Hundesteuer an.",
        "summary_en": "If you keep a dog in Regensburg, register it for dog tax within two weeks.",
        "description": (
            "Die Hundesteuer ist eine Steuer der Stadt. Nach der Anmeldung erhalten Sie einen Steuerbescheid "
            "und eine Hundesteuermarke. Für Blinden- und Rettungshunde gibt es Befreiungen."
        ),
        "description_en": (
            "Dog tax is a city tax. After registration you receive a tax notice and a dog tax tag. Guide "
            "and rescue dogs are exempt."
        ),
        "easy_language": (
            "Sie haben einen Hund? Dann müssen Sie den Hund bei der Stadt anmelden. Sie zahlen dann jedes "
            "Jahr Geld für den Hund. Das Geld heißt Hunde-Steuer."
        ),
        "department": "Amt 20",
        "legal_basis": "Art. 3 KAG; Hundesteuersatzung der Stadt Regensburg",
        "required_documents": "Bei Befreiung oder Ermäßigung: Nachweis (z. B. Schwerbehindertenausweis)",
        "required_documents_en": "For exemption or reduction: proof (e.g. severe disability card)",
        "fee_kind": "none",
        "fee_note": "Die Anmeldung ist gebührenfrei; die Hundesteuer beträgt 100 € je Hund und Jahr.",
        "fee_note_en": "Registering is free of charge; the dog tax is €100 per dog and year.",
        "processing_days": 10,
        "channels": [ONLINE, POST, COUNTER],
        "min_trust_level": "basic",
        "life_situations": ["hund-und-haustiere", "geld-und-steuern", "umzug"],
        "keywords": "Hundesteuer Hund Hunde Hundemarke Hundehaltung Steuermarke Welpe dog tax dog licence",
    },
    {
        "slug": "bewohnerparkausweis",
        "leika_key": "99108001001000",
        "name": "Bewohnerparkausweis beantragen",
        "name_en": "Applying for a residents' parking permit",
        "summary": "Als Anwohnerin oder Anwohner in einer Bewohnerparkzone parken: Parkausweis für ein oder zwei Jahre.",
        "summary_en": "Park as a resident in a residents' parking zone: permit for one or two years.",
        "description": (
            "In den Bewohnerparkzonen der Altstadt und der angrenzenden Viertel dürfen Bewohnerinnen und "
            "Bewohner mit Parkausweis ohne Parkschein parken. Der Ausweis gilt für ein Fahrzeug, das auf Sie "
            "zugelassen ist oder das Sie dauerhaft nutzen."
        ),
        "description_en": (
            "In the residents' parking zones of the old town and neighbouring districts, residents with a "
            "permit may park without a ticket. The permit is for one vehicle registered to you or used by "
            "you permanently."
        ),
        "department": "Amt 32",
        "legal_basis": "§ 45 Abs. 1b Satz 1 Nr. 2a StVO; Bewohnerparkgebührenverordnung der Stadt",
        "required_documents": (
            "Fahrzeugschein (Zulassungsbescheinigung Teil I)\n"
            "Bei Firmen- oder Leihwagen: Bestätigung über die dauerhafte Nutzung"
        ),
        "required_documents_en": (
            "Vehicle registration certificate (part I)\nFor company or borrowed cars: confirmation of permanent use"
        ),
        "fee_kind": "rule",
        "fee_rule": {
            "choice": {"field": "duration", "amounts": {"1y": "30.00", "2y": "60.00"}},
            "min": "30.00",
        },
        "fee_note": "30 € je Jahr, höchstens zwei Jahre",
        "fee_note_en": "€30 per year, for at most two years",
        "processing_days": 5,
        "channels": [ONLINE, COUNTER, POST],
        "min_trust_level": "basic",
        "life_situations": ["auto-und-verkehr", "umzug"],
        "keywords": (
            "Parkausweis parken Bewohnerparken Anwohnerparken Anwohnerparkausweis Parkerlaubnis "
            "Parkvignette Parkzone Auto Kfz resident parking"
        ),
    },
    {
        "slug": "sondernutzung-strasse",
        "leika_key": "99108005004000",
        "name": "Sondernutzung öffentlicher Straßen beantragen",
        "name_en": "Applying for special use of public roads",
        "summary": "Gerüst, Container, Umzugswagen, Außengastronomie oder Infostand auf Gehweg und Straße.",
        "summary_en": "Scaffolding, skips, removal vans, outdoor seating or an information stand on pavements and roads.",
        "description": (
            "Wer Straßen, Wege oder Plätze über den Gemeingebrauch hinaus nutzt, braucht eine "
            "Sondernutzungserlaubnis. Die Gebühr richtet sich nach Fläche und Dauer."
        ),
        "description_en": (
            "Using roads, paths or squares beyond ordinary public use needs a special use permit. The fee "
            "depends on area and duration."
        ),
        "department": "Amt 66",
        "legal_basis": "Art. 18 BayStrWG; Sondernutzungssatzung der Stadt Regensburg",
        "required_documents": "Lageskizze mit Maßen der genutzten Fläche\nBei Baustellen: Verkehrszeichenplan",
        "required_documents_en": "Sketch with dimensions of the area used\nFor building sites: traffic sign plan",
        "fee_kind": "rule",
        # The days from the first to the last day of use, both counted (not a number typed in).
        "fee_rule": {
            "per": {"fields": [{"days": ["start_date", "end_date"]}, "square_metres"], "amount": "1.50"},
            "min": "25.00",
        },
        "fee_note": "1,50 € je Tag und Quadratmeter, mindestens 25 €",
        "fee_note_en": "€1.50 per day and square metre, at least €25",
        "processing_days": 10,
        "channels": [ONLINE, POST, COUNTER],
        "min_trust_level": "basic",
        "life_situations": ["gewerbe", "veranstaltungen", "bauen-und-wohnen"],
        "keywords": (
            "Sondernutzung Sondernutzungserlaubnis Gerüst Container Baustelle Umzugswagen Halteverbot "
            "Außengastronomie Freischankfläche Infostand Straße Gehweg road use"
        ),
    },
    {
        "slug": "maengelmelder",
        "leika_key": "99108012001000",
        "name": "Mängel im öffentlichen Raum melden (Mängelmelder)",
        "name_en": "Reporting a defect in public space",
        "summary": "Schlagloch, defekte Straßenlaterne, wilder Müll oder beschädigtes Schild melden – auch ohne Konto.",
        "summary_en": "Report a pothole, broken street light, fly-tipping or a damaged sign – no account needed.",
        "description": (
            "Beschreiben Sie den Mangel, markieren Sie den Ort und fügen Sie gern ein Foto bei. Das Tiefbauamt "
            "leitet die Meldung an die zuständige Stelle weiter."
        ),
        "description_en": (
            "Describe the defect, mark the place and add a photo if you like. The Civil Engineering Office "
            "forwards the report to the unit responsible."
        ),
        "easy_language": (
            "Etwas ist kaputt auf der Straße? Zum Beispiel ein Loch oder eine Lampe? Dann sagen Sie es uns. "
            "Wir reparieren es."
        ),
        "department": "Amt 66",
        "legal_basis": "Art. 9 BayStrWG (Straßenbaulast)",
        "required_documents": "",
        "required_documents_en": "",
        "fee_kind": "none",
        "processing_days": 5,
        "channels": [ONLINE, PHONE],
        "min_trust_level": "basic",
        "allows_anonymous": True,
        "life_situations": ["maengel-melden"],
        "keywords": (
            "Mängelmelder Mangel Mängel Schlagloch Schaden kaputt defekt Straßenlaterne Laterne "
            "Straßenschaden wilder Müll Graffiti pothole broken street light defect"
        ),
    },
    {
        "slug": "wohnsitz-anmelden",
        "leika_key": "99115001001000",
        "name": "Wohnsitz anmelden (Ummeldung)",
        "name_en": "Registering your address (moving house)",
        "summary": "Nach dem Umzug nach oder innerhalb Regensburgs melden Sie sich innerhalb von zwei Wochen an.",
        "summary_en": "After moving to or within Regensburg, register your new address within two weeks.",
        "description": (
            "Wer eine Wohnung bezieht, muss sich innerhalb von zwei Wochen bei der Meldebehörde anmelden. "
            "Das gilt auch beim Umzug innerhalb der Stadt. Die Wohnungsgeberbestätigung stellt Ihnen Ihre "
            "Vermieterin oder Ihr Vermieter aus."
        ),
        "description_en": (
            "Anyone moving into a home must register with the registration office within two weeks, also "
            "when moving within the city. Your landlord issues the landlord's confirmation."
        ),
        "easy_language": (
            "Sie ziehen um? Dann müssen Sie die neue Wohnung bei der Stadt melden. Das müssen Sie in 2 Wochen "
            "machen. Das kostet nichts."
        ),
        "department": "Amt 33",
        "legal_basis": "§ 17 Abs. 1 BMG; § 19 BMG (Wohnungsgeberbestätigung)",
        "required_documents": (
            "Personalausweis oder Reisepass aller umziehenden Personen\nWohnungsgeberbestätigung"
        ),
        "required_documents_en": "Identity card or passport of everyone moving\nLandlord's confirmation",
        "fee_kind": "none",
        "processing_days": 1,
        "channels": [ONLINE, COUNTER],
        "min_trust_level": "high",
        "life_situations": ["umzug"],
        "keywords": (
            "Ummeldung Anmeldung Wohnsitz Umzug umziehen Wohnung Meldeamt Einwohnermeldeamt Zuzug "
            "Hauptwohnung Nebenwohnung moving registration address"
        ),
    },
    {
        "slug": "wohnsitz-abmelden",
        "leika_key": "99115002001000",
        "name": "Wohnung abmelden (Wegzug ins Ausland)",
        "name_en": "Deregistering when moving abroad",
        "summary": "Abmeldung bei Wegzug ins Ausland oder bei Aufgabe einer Nebenwohnung.",
        "summary_en": "Deregistration when moving abroad or giving up a secondary residence.",
        "description": (
            "Abmelden müssen Sie sich nur, wenn Sie ins Ausland ziehen oder eine Nebenwohnung aufgeben. Bei "
            "einem Umzug innerhalb Deutschlands genügt die Anmeldung am neuen Ort."
        ),
        "description_en": (
            "You only deregister when moving abroad or giving up a secondary residence. Moving within "
            "Germany, registering at the new place is enough."
        ),
        "department": "Amt 33",
        "legal_basis": "§ 17 Abs. 2 BMG",
        "required_documents": "Personalausweis oder Reisepass",
        "required_documents_en": "Identity card or passport",
        "fee_kind": "none",
        "processing_days": 1,
        "channels": [ONLINE, COUNTER, POST],
        "min_trust_level": "high",
        "life_situations": ["umzug"],
        "keywords": "Abmeldung Wegzug Ausland Auswanderung Nebenwohnung aufgeben deregistration moving abroad",
    },
    {
        "slug": "personalausweis-beantragen",
        "leika_key": "99008001012000",
        "name": "Personalausweis beantragen",
        "name_en": "Applying for an identity card",
        "summary": "Neuen Personalausweis mit Online-Ausweisfunktion beantragen – persönlich im Bürgerbüro.",
        "summary_en": "Apply for a new identity card with online ID function – in person at the citizens' office.",
        "description": (
            "Den Personalausweis beantragen Sie persönlich, weil Fingerabdrücke genommen werden. Das "
            "biometrische Foto kann im Bürgerbüro digital aufgenommen werden. Buchen Sie vorher einen Termin."
        ),
        "description_en": (
            "You apply for the identity card in person because fingerprints are taken. The biometric photo "
            "can be taken digitally at the citizens' office. Please book an appointment first."
        ),
        "department": "Amt 33",
        "legal_basis": "§ 9 PAuswG; Personalausweisgebührenverordnung (PAuswGebV)",
        "required_documents": (
            "Bisheriger Personalausweis oder Reisepass\nBiometrisches Passfoto (oder Aufnahme vor Ort)\n"
            "Bei Erstausstellung: Geburtsurkunde"
        ),
        "required_documents_en": (
            "Current identity card or passport\nBiometric photo (or taken on site)\n"
            "For a first card: birth certificate"
        ),
        "fee_kind": "fixed",
        "fee_amount": "37.00",
        "fee_note": "Unter 24 Jahren: 22,80 €",
        "fee_note_en": "Under 24: €22.80",
        "processing_days": 20,
        "channels": [COUNTER],
        "min_trust_level": "basic",
        "life_situations": ["ausweise-und-dokumente"],
        "keywords": "Personalausweis Ausweis Perso ID-Karte Online-Ausweis eID identity card ID card",
    },
    {
        "slug": "reisepass-beantragen",
        "leika_key": "99119001001000",
        "name": "Reisepass beantragen",
        "name_en": "Applying for a passport",
        "summary": "Reisepass oder Express-Reisepass beantragen – persönlich im Bürgerbüro.",
        "summary_en": "Apply for a passport or express passport – in person at the citizens' office.",
        "description": (
            "Den Reisepass beantragen Sie persönlich. Ein Express-Pass ist in der Regel nach drei Werktagen "
            "abholbereit. Für Kinder gibt es keinen Kinderreisepass mehr; sie erhalten einen Reisepass."
        ),
        "description_en": (
            "You apply for a passport in person. An express passport is usually ready after three working "
            "days. Children's passports no longer exist; children get a regular passport."
        ),
        "department": "Amt 33",
        "legal_basis": "§ 6 PassG; § 15 PassV",
        "required_documents": "Bisheriger Reisepass oder Personalausweis\nBiometrisches Passfoto",
        "required_documents_en": "Current passport or identity card\nBiometric photo",
        "fee_kind": "fixed",
        "fee_amount": "70.00",
        "fee_note": "Unter 24 Jahren: 37,50 €; Express-Zuschlag 32 €",
        "fee_note_en": "Under 24: €37.50; express surcharge €32",
        "processing_days": 25,
        "channels": [COUNTER],
        "min_trust_level": "basic",
        "life_situations": ["ausweise-und-dokumente"],
        "keywords": "Reisepass Pass Expresspass Reise Urlaub Kinderpass passport travel",
    },
    {
        "slug": "fuehrungszeugnis",
        "leika_key": "99049001001000",
        "name": "Führungszeugnis beantragen",
        "name_en": "Applying for a certificate of good conduct",
        "summary": "Polizeiliches Führungszeugnis für Arbeitgeber, Ehrenamt oder Behörden beantragen.",
        "summary_en": "Apply for a certificate of good conduct for an employer, volunteering or an authority.",
        "description": (
            "Das Führungszeugnis stellt das Bundesamt für Justiz aus. Sie beantragen es im Bürgerbüro oder "
            "online mit der Online-Ausweisfunktion. Für ehrenamtliche Tätigkeit ist es gebührenfrei."
        ),
        "description_en": (
            "The Federal Office of Justice issues the certificate. Apply at the citizens' office or online "
            "with your online ID. It is free for volunteer work."
        ),
        "department": "Amt 33",
        "legal_basis": "§ 30 BZRG; § 30a BZRG (erweitertes Führungszeugnis)",
        "required_documents": (
            "Personalausweis oder Reisepass\nFür das erweiterte Führungszeugnis: Aufforderung des Arbeitgebers"
        ),
        "required_documents_en": "Identity card or passport\nFor the extended certificate: employer's request",
        "fee_kind": "fixed",
        "fee_amount": "13.00",
        "fee_note": "Für ehrenamtliche Tätigkeit gebührenfrei",
        "fee_note_en": "Free of charge for voluntary work",
        "processing_days": 10,
        "channels": [COUNTER, ONLINE],
        "min_trust_level": "high",
        "life_situations": ["ausweise-und-dokumente"],
        "keywords": (
            "Führungszeugnis polizeiliches Führungszeugnis erweitertes Strafregister Leumund "
            "certificate of good conduct criminal record"
        ),
        "external_url": "https://www.fuehrungszeugnis.bund.de/",
    },
    {
        "slug": "gewerbeanmeldung",
        "leika_key": "99050012104000",
        "name": "Gewerbe anmelden",
        "name_en": "Registering a business",
        "summary": "Wer ein Gewerbe beginnt, zeigt es beim Gewerbeamt an – auch Nebengewerbe und Online-Handel.",
        "summary_en": "Starting a business? Notify the trade office – also for side businesses and online trading.",
        "description": (
            "Die Gewerbeanzeige ist Pflicht, bevor Sie Ihre Tätigkeit aufnehmen. Das Gewerbeamt informiert "
            "Finanzamt, IHK oder Handwerkskammer und Berufsgenossenschaft."
        ),
        "description_en": (
            "You must notify the trade office before you start. It informs the tax office, chamber of "
            "commerce or crafts and the employers' liability insurance."
        ),
        "department": "Amt 32",
        "legal_basis": "§ 14 GewO",
        "required_documents": (
            "Personalausweis oder Reisepass\nBei juristischen Personen: Handelsregisterauszug\n"
            "Bei erlaubnispflichtigen Gewerben: Erlaubnis"
        ),
        "required_documents_en": (
            "Identity card or passport\nFor legal entities: extract from the commercial register\n"
            "For licensed trades: the licence"
        ),
        "fee_kind": "fixed",
        "fee_amount": "40.00",
        "processing_days": 3,
        "channels": [ONLINE, COUNTER, POST],
        "min_trust_level": "substantial",
        "life_situations": ["gewerbe"],
        "keywords": (
            "Gewerbeanmeldung Gewerbe Gewerbeschein Gewerbeanzeige Selbstständigkeit Firma gründen "
            "Existenzgründung Nebengewerbe business registration trade licence company"
        ),
    },
    {
        "slug": "kfz-zulassung",
        "leika_key": "99036008001000",
        "name": "Fahrzeug zulassen (Kfz-Zulassung)",
        "name_en": "Registering a vehicle",
        "summary": "Auto, Motorrad oder Anhänger zulassen oder umschreiben – online mit i-Kfz oder in der Zulassungsstelle.",
        "summary_en": "Register or re-register a car, motorbike or trailer – online with i-Kfz or at the vehicle office.",
        "description": (
            "Neuzulassung, Halterwechsel und Umschreibung erledigen Sie online über das i-Kfz-Portal mit der "
            "Online-Ausweisfunktion oder mit Termin in der Zulassungsstelle."
        ),
        "description_en": (
            "New registration, change of keeper and re-registration can be done online via the i-Kfz portal "
            "with your online ID, or by appointment at the vehicle registration office."
        ),
        "department": "Amt 32",
        "legal_basis": "§ 6 FZV; § 15a FZV (internetbasierte Zulassung); GebOSt",
        "required_documents": (
            "Personalausweis oder Reisepass\nZulassungsbescheinigung Teil I und II\n"
            "eVB-Nummer der Kfz-Versicherung\nSEPA-Lastschriftmandat für die Kfz-Steuer\nHU-Nachweis"
        ),
        "required_documents_en": (
            "Identity card or passport\nRegistration certificate parts I and II\n"
            "Insurance confirmation number (eVB)\nSEPA direct debit mandate for vehicle tax\n"
            "Proof of roadworthiness test"
        ),
        "fee_kind": "fixed",
        "fee_amount": "27.00",
        "fee_note": "Kennzeichenschilder und Wunschkennzeichen kosten extra.",
        "fee_note_en": "Number plates and personalised registration numbers cost extra.",
        "processing_days": 1,
        "channels": [ONLINE, COUNTER],
        "min_trust_level": "high",
        "life_situations": ["auto-und-verkehr", "umzug"],
        "keywords": (
            "Kfz Zulassung Kfz-Zulassung Auto Pkw Fahrzeug Kraftfahrzeug Motorrad Anhänger Ummeldung "
            "Kennzeichen Halterwechsel i-Kfz car vehicle registration"
        ),
        "external_url": "https://i-kfz.regensburg.example/",
    },
    {
        "slug": "kfz-ausserbetriebsetzung",
        "leika_key": "99036011001000",
        "name": "Fahrzeug außer Betrieb setzen (Kfz-Abmeldung)",
        "name_en": "Deregistering a vehicle",
        "summary": "Auto abmelden, z. B. bei Verkauf ins Ausland, Verschrottung oder Stilllegung.",
        "summary_en": "Deregister a car, e.g. when selling abroad, scrapping or laying it up.",
        "description": (
            "Die Außerbetriebsetzung geht online über i-Kfz, wenn Plaketten mit Sicherheitscode vorhanden "
            "sind, sonst in der Zulassungsstelle."
        ),
        "description_en": (
            "Deregistration works online via i-Kfz when the seals carry a security code, otherwise at the "
            "vehicle registration office."
        ),
        "department": "Amt 32",
        "legal_basis": "§ 14 FZV; GebOSt",
        "required_documents": "Zulassungsbescheinigung Teil I\nKennzeichenschilder",
        "required_documents_en": "Registration certificate part I\nNumber plates",
        "fee_kind": "fixed",
        "fee_amount": "12.00",
        "processing_days": 1,
        "channels": [ONLINE, COUNTER],
        "min_trust_level": "high",
        "life_situations": ["auto-und-verkehr"],
        "keywords": "Kfz Abmeldung Außerbetriebsetzung Stilllegung Auto abmelden Pkw Fahrzeug car deregistration",
        "external_url": "https://i-kfz.regensburg.example/",
    },
    {
        "slug": "geburtsurkunde",
        "leika_key": "99027002012000",
        "name": "Geburtsurkunde beantragen",
        "name_en": "Requesting a birth certificate",
        "summary": "Geburtsurkunde oder beglaubigten Registerausdruck für in Regensburg geborene Personen.",
        "summary_en": "Birth certificate or certified register copy for people born in Regensburg.",
        "description": (
            "Urkunden stellt das Standesamt des Geburtsorts aus. Berechtigt sind die Person selbst, Ehegatten, "
            "Eltern, Kinder und Personen mit rechtlichem Interesse."
        ),
        "description_en": (
            "Certificates are issued by the registry office of the place of birth, to the person, spouses, "
            "parents, children and people with a legal interest."
        ),
        "department": "Amt 34",
        "legal_basis": "§ 55 PStG; § 62 PStG",
        "required_documents": "Personalausweis oder Reisepass\nBei Vollmacht: Vollmacht und Ausweiskopie",
        "required_documents_en": "Identity card or passport\nWhen acting for someone: authorisation and ID copy",
        "fee_kind": "fixed",
        "fee_amount": "12.00",
        "fee_note": "jede weitere Ausfertigung 6 €",
        "fee_note_en": "€6 for each further copy",
        "processing_days": 5,
        "channels": [ONLINE, COUNTER, POST],
        "min_trust_level": "substantial",
        "life_situations": ["kinder-und-familie", "ausweise-und-dokumente"],
        "keywords": "Geburtsurkunde Urkunde Geburt Geburtenregister Abstammungsurkunde birth certificate",
    },
    {
        "slug": "sperrmuell-anmelden",
        "leika_key": "99011012001000",
        "name": "Sperrmüll-Abholung anmelden",
        "name_en": "Booking a bulky waste collection",
        "summary": "Möbel und große Gegenstände abholen lassen – zweimal im Jahr kostenlos.",
        "summary_en": "Have furniture and large items collected – free twice a year.",
        "description": (
            "Sperrmüll wird nach Anmeldung an einem festen Termin vor Ihrem Haus abgeholt. Elektrogeräte "
            "geben Sie bitte am Wertstoffhof ab."
        ),
        "description_en": (
            "Bulky waste is collected from outside your house on a fixed date after booking. Please take "
            "electrical appliances to the recycling centre."
        ),
        "department": "Amt 66",
        "legal_basis": "§ 20 KrWG; Abfallwirtschaftssatzung der Stadt Regensburg",
        "required_documents": "",
        "required_documents_en": "",
        "fee_kind": "none",
        "fee_note": "Ab der dritten Abholung im Jahr 30 €",
        "fee_note_en": "€30 from the third collection in a year",
        "processing_days": 10,
        "channels": [ONLINE, PHONE],
        "min_trust_level": "basic",
        "life_situations": ["umzug"],
        "keywords": "Sperrmüll Müll Abfall Möbel Entrümpelung Abholung Sperrgut bulky waste rubbish furniture",
    },
    {
        "slug": "fundsachen",
        "leika_key": "99017001001000",
        "name": "Fundsache abgeben oder Verlust melden (Fundbüro)",
        "name_en": "Lost and found office",
        "summary": "Etwas gefunden oder verloren? Das Fundbüro nimmt Fundsachen an und sucht nach Verlorenem.",
        "summary_en": "Found or lost something? The lost-property office takes in finds and searches for lost items.",
        "description": (
            "Fundsachen über 10 € Wert müssen abgegeben werden. Wird der Eigentümer nicht ermittelt, kann die "
            "Finderin oder der Finder die Sache nach sechs Monaten erhalten."
        ),
        "description_en": (
            "Items worth more than 10 € must be handed in. If the owner is not found, the finder may claim "
            "the item after six months."
        ),
        "department": "Amt 33",
        "legal_basis": "§§ 965–984 BGB",
        "required_documents": "",
        "required_documents_en": "",
        "fee_kind": "none",
        "fee_note": "Bei Rückgabe fällt eine Verwaltungsgebühr und ggf. Finderlohn an.",
        "fee_note_en": "On return an administrative fee and, where due, a finder's reward are charged.",
        "processing_days": None,
        "channels": [COUNTER, PHONE, ONLINE],
        "min_trust_level": "basic",
        "allows_anonymous": True,
        "life_situations": ["hund-und-haustiere"],
        "keywords": (
            "Fundbüro Fundsache gefunden verloren Verlust Schlüssel Geldbörse Handy Fundtier "
            "lost property found lost"
        ),
    },
    {
        "slug": "veranstaltung-anmelden",
        "leika_key": "99089004001000",
        "name": "Straßenfest oder Veranstaltung anmelden",
        "name_en": "Registering a street party or public event",
        "summary": "Straßenfest, Flohmarkt, Konzert im Freien: Anzeige und Genehmigung aus einer Hand.",
        "summary_en": "Street party, flea market, open-air concert: notification and permits in one go.",
        "description": (
            "Öffentliche Veranstaltungen zeigen Sie spätestens sechs Wochen vorher an. Das Ordnungsamt "
            "koordiniert Straßensperrung, Ausschank und Lärmschutz mit den anderen Stellen."
        ),
        "description_en": (
            "Notify public events at least six weeks ahead. The Public Order Office coordinates road "
            "closures, serving drinks and noise protection with the other units."
        ),
        "department": "Amt 32",
        "legal_basis": "Art. 19 LStVG; § 29 Abs. 2 StVO; § 12 GastG",
        "required_documents": "Lageplan der Veranstaltungsfläche\nSicherheitskonzept bei mehr als 1.000 Besuchern",
        "required_documents_en": "Site plan of the event area\nSafety concept for more than 1,000 visitors",
        "fee_kind": "fixed",
        "fee_amount": "50.00",
        "fee_note": "Grundgebühr; Sondernutzung und Gestattung werden gesondert berechnet.",
        "fee_note_en": "Basic fee; special use and permits are charged separately.",
        "processing_days": 20,
        "channels": [ONLINE, POST],
        "min_trust_level": "basic",
        "life_situations": ["veranstaltungen"],
        "keywords": (
            "Straßenfest Veranstaltung Fest Flohmarkt Konzert Feier Event Straßensperrung Ausschank "
            "street party event festival"
        ),
    },
    {
        "slug": "baumfaellgenehmigung",
        "leika_key": "99127007001000",
        "name": "Baum fällen – Genehmigung beantragen",
        "name_en": "Applying for permission to fell a tree",
        "summary": "Geschützte Bäume auf Privatgrund dürfen nur mit Genehmigung gefällt werden.",
        "summary_en": "Protected trees on private land may only be felled with permission.",
        "description": (
            "Nach der Baumschutzverordnung sind Bäume ab 80 cm Stammumfang geschützt. Fällungen sind nur von "
            "Oktober bis Februar erlaubt; oft ist eine Ersatzpflanzung vorgeschrieben."
        ),
        "description_en": (
            "Under the tree protection ordinance, trees with a trunk girth from 80 cm are protected. Felling "
            "is only allowed from October to February; a replacement planting is often required."
        ),
        "department": "Amt 67",
        "legal_basis": "Art. 12 BayNatSchG; Baumschutzverordnung der Stadt Regensburg; § 39 Abs. 5 BNatSchG",
        "required_documents": "Lageplan mit Standort des Baums\nFotos des Baums\nBei Schäden: Gutachten",
        "required_documents_en": "Site plan with the tree's position\nPhotos of the tree\nFor damage: expert report",
        "fee_kind": "fixed",
        "fee_amount": "40.00",
        "processing_days": 20,
        "channels": [ONLINE, POST],
        "min_trust_level": "basic",
        "life_situations": ["garten-und-natur", "bauen-und-wohnen"],
        "keywords": "Baumfällung Baum fällen Baumschutz Baumschutzverordnung Rodung Garten tree felling",
    },
    {
        "slug": "wohngeld",
        "leika_key": "99107023037000",
        "name": "Wohngeld beantragen (Mietzuschuss)",
        "name_en": "Applying for housing benefit",
        "summary": "Zuschuss zur Miete oder Belastung für Haushalte mit geringem Einkommen.",
        "summary_en": "Rent or housing cost subsidy for low-income households.",
        "description": (
            "Wohngeld gibt es als Mietzuschuss für Mieter und als Lastenzuschuss für Eigentümer. Es wird in "
            "der Regel für zwölf Monate bewilligt."
        ),
        "description_en": (
            "Housing benefit is paid as a rent subsidy to tenants and as a cost subsidy to owners, usually "
            "for twelve months."
        ),
        "department": "Amt 33",
        "legal_basis": "Wohngeldgesetz (WoGG)",
        "required_documents": (
            "Mietvertrag und Mietbescheinigung\nEinkommensnachweise aller Haushaltsmitglieder\n"
            "Kontoauszüge der letzten drei Monate"
        ),
        "required_documents_en": (
            "Tenancy agreement and rent certificate\nProof of income of all household members\n"
            "Bank statements of the last three months"
        ),
        "fee_kind": "none",
        "processing_days": 30,
        "channels": [ONLINE, POST, COUNTER],
        "min_trust_level": "substantial",
        "life_situations": ["bauen-und-wohnen", "geld-und-steuern"],
        "keywords": "Wohngeld Mietzuschuss Lastenzuschuss Miete Zuschuss Sozialleistung housing benefit rent",
    },
    {
        "slug": "feuerwerk-ausnahme",
        "leika_key": "99089010001000",
        "name": "Feuerwerk außerhalb Silvester – Ausnahmegenehmigung",
        "name_en": "Permit for fireworks outside New Year's Eve",
        "summary": "Feuerwerk zur Hochzeit oder zum Jubiläum: Ausnahme vom Abbrennverbot beantragen.",
        "summary_en": "Fireworks for a wedding or anniversary: apply for an exemption from the ban.",
        "description": (
            "Feuerwerk der Kategorie F2 darf außerhalb von Silvester nur mit Ausnahmegenehmigung abgebrannt "
            "werden. In der Altstadt ist Feuerwerk grundsätzlich nicht erlaubt."
        ),
        "description_en": (
            "Category F2 fireworks may be let off outside New Year's Eve only with an exemption. Fireworks "
            "are not allowed in the old town."
        ),
        "department": "Amt 32",
        "legal_basis": "§ 24 Abs. 1 der 1. SprengV",
        "required_documents": "Lageplan des Abbrennorts\nEinverständnis des Grundstückseigentümers",
        "required_documents_en": "Site plan of the launch site\nConsent of the landowner",
        "fee_kind": "fixed",
        "fee_amount": "60.00",
        "processing_days": 15,
        "channels": [ONLINE, POST],
        "min_trust_level": "basic",
        "life_situations": ["veranstaltungen", "heirat-und-partnerschaft"],
        "keywords": "Feuerwerk Pyrotechnik Böller Raketen Ausnahmegenehmigung Silvester fireworks",
    },
    {
        "slug": "informationszugang",
        "leika_key": "99083001001000",
        "name": "Auskunft und Akteneinsicht beantragen (Informationsfreiheit)",
        "name_en": "Requesting information and access to records (freedom of information)",
        "summary": "Zugang zu amtlichen Informationen der Stadt und Auskunft über Ihre gespeicherten Daten.",
        "summary_en": "Access to official information held by the city and to the personal data stored about you.",
        "description": (
            "Nach der Informationsfreiheitssatzung der Stadt haben Sie Anspruch auf Zugang zu amtlichen "
            "Informationen, soweit keine Schutzgründe entgegenstehen. Auskunft über Ihre eigenen Daten "
            "erhalten Sie nach der DSGVO."
        ),
        "description_en": (
            "Under the city's freedom of information bylaw you may access official information unless it "
            "must be protected. Information about your own data is given under the GDPR."
        ),
        "department": "Amt 30",
        "legal_basis": "Art. 39 BayDSG; Informationsfreiheitssatzung der Stadt Regensburg; Art. 15 DSGVO",
        "required_documents": "",
        "required_documents_en": "",
        "fee_kind": "none",
        "fee_note": "Einfache Auskünfte sind kostenfrei; bei hohem Aufwand erhalten Sie vorher einen Kostenhinweis.",
        "fee_note_en": "Simple information is free of charge; if the effort is high, you are told the cost beforehand.",
        "processing_days": 30,
        "channels": [ONLINE, POST],
        "min_trust_level": "basic",
        "life_situations": [],
        "keywords": (
            "Informationsfreiheit Auskunft Akteneinsicht Informationszugang Transparenz Datenauskunft "
            "freedom of information access to records"
        ),
    },
    {
        "slug": "ferienprogramm",
        "leika_key": "99124009001000",
        "name": "Ferienprogramm und Ferienbetreuung anmelden",
        "name_en": "Signing up for the holiday programme and holiday care",
        "summary": "Ausflüge, Workshops und Betreuung für Schulkinder in den Ferien.",
        "summary_en": "Trips, workshops and care for school children during the holidays.",
        "description": (
            "Das Amt für Jugend und Familie bietet in allen Ferien Programme für Kinder von 6 bis 14 Jahren "
            "an. Die Plätze werden nach Eingang vergeben."
        ),
        "description_en": (
            "The Youth and Family Office runs programmes for children aged 6 to 14 in all school holidays. "
            "Places are allocated first come, first served."
        ),
        "department": "Amt 51",
        "legal_basis": "§ 11 SGB VIII",
        "required_documents": "",
        "required_documents_en": "",
        "fee_kind": "fixed",
        "fee_amount": "8.00",
        "fee_note": "je Tag; mit Regensburg-Pass kostenfrei",
        "fee_note_en": "per day; free with the Regensburg pass",
        "processing_days": 3,
        "channels": [ONLINE, PHONE],
        "min_trust_level": "basic",
        "life_situations": ["kinder-und-familie", "sport-und-freizeit"],
        "keywords": "Ferienprogramm Ferienbetreuung Ferien Sommerferien Kinder Ausflug holiday programme kids",
    },
    {
        "slug": "parkerleichterung-behinderung",
        "leika_key": "99108002001000",
        "name": "Parkerleichterung für Menschen mit Behinderung",
        "name_en": "Parking concessions for people with disabilities",
        "summary": "Blauer EU-Ausweis oder orangefarbener Ausweis für Parkerleichterungen.",
        "summary_en": "Blue EU card or orange card for parking concessions.",
        "description": (
            "Mit dem Ausweis dürfen Sie auf Behindertenparkplätzen parken (blauer Ausweis) oder erhalten "
            "Erleichterungen beim Parken (orangefarbener Ausweis)."
        ),
        "description_en": (
            "The card lets you use disabled parking bays (blue card) or gives parking concessions "
            "(orange card)."
        ),
        "department": "Amt 32",
        "legal_basis": "§ 46 Abs. 1 Satz 1 Nr. 11 StVO",
        "required_documents": "Schwerbehindertenausweis mit Merkzeichen aG, Bl oder TBl\nPassfoto",
        "required_documents_en": "Severe disability card with marker aG, Bl or TBl\nPassport photo",
        "fee_kind": "none",
        "processing_days": 10,
        "channels": [COUNTER, POST],
        "min_trust_level": "basic",
        "life_situations": ["auto-und-verkehr"],
        "keywords": "Schwerbehindertenparkausweis Behindertenparkplatz blauer Ausweis Merkzeichen disabled badge",
    },
    {
        "slug": "sportfoerderung-vereine",
        "leika_key": "99135003001000",
        "name": "Zuschuss für Sportvereine beantragen",
        "name_en": "Applying for a grant for sports clubs",
        "summary": "Förderung für Jugendarbeit, Übungsleiter und Sportstättenbau von Regensburger Vereinen.",
        "summary_en": "Support for youth work, coaches and sports facility construction of Regensburg clubs.",
        "description": (
            "Die Stadt fördert gemeinnützige Sportvereine nach den Sportförderrichtlinien. Anträge für das "
            "laufende Jahr stellen Sie bis 31. März."
        ),
        "description_en": (
            "The city supports non-profit sports clubs under its sports funding guidelines. Apply for the "
            "current year by 31 March."
        ),
        "department": "Amt 52",
        "legal_basis": "Sportförderrichtlinien der Stadt Regensburg; Art. 57 GO",
        "required_documents": (
            "Vereinsregisterauszug\nFreistellungsbescheid des Finanzamts (Gemeinnützigkeit)\n"
            "Mitgliederstatistik des BLSV"
        ),
        "required_documents_en": (
            "Extract from the register of associations\nTax office exemption notice (non-profit status)\n"
            "Membership statistics of the Bavarian sports federation"
        ),
        "fee_kind": "none",
        "processing_days": 40,
        "channels": [ONLINE, POST],
        "min_trust_level": "substantial",
        "life_situations": ["sport-und-freizeit", "geld-und-steuern"],
        "keywords": "Sportförderung Vereinsförderung Zuschuss Verein Übungsleiter Jugendarbeit grant sports club",
    },
]


@transaction.atomic
def load_catalog() -> dict[str, int]:
    """Create the demo life situations and services that are missing (by slug); a second run
    finds everything and writes nothing. Departments come from the demo loader."""
    from rathaus.accounts.models import Department
    from rathaus.catalog.models import LifeSituation, Service

    created = {"life_situations": 0, "services": 0}
    situations: dict[str, LifeSituation] = {}
    for position, (slug, name, name_en, description, description_en) in enumerate(LIFE_SITUATIONS):
        situation, was_created = LifeSituation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "description": description,
                "description_en": description_en,
                "position": position * 10,
            },
        )
        situations[slug] = situation
        created["life_situations"] += was_created
    departments = {d.code: d for d in Department.objects.all()}
    for entry in SERVICES:
        fields = dict(entry)
        slug = fields.pop("slug")
        situation_slugs = fields.pop("life_situations")
        fields["department"] = departments[fields["department"]]
        if fields.get("fee_amount") is not None:
            fields["fee_amount"] = Decimal(fields["fee_amount"])
        service, was_created = Service.objects.get_or_create(slug=slug, defaults=fields)
        if was_created:
            service.life_situations.set([situations[s] for s in situation_slugs])
        created["services"] += was_created
    return created

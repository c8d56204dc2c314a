"""Vocabulary of the demo org: countries, people's names, company names, industries, emails.

Invented names only; the mix (diacritics, particles, hyphens, immigrant surnames, legal forms)
is what makes matching and parsing realistic, not any resemblance to real firms.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str  # as Salesforce BillingCountry and HubSpot country hold it
    language: str
    tld: str
    weight: int
    legal_forms: tuple[str, ...]
    utc_offset: int  # hours; activities happen in the buyer's business hours


COUNTRIES: tuple[Country, ...] = (
    Country("US", "United States", "en", "com", 22, ("Inc.", "LLC", "Corp.", ""), -5),
    Country("GB", "United Kingdom", "en", "co.uk", 12, ("Ltd", "Ltd.", "plc", ""), 0),
    Country("DE", "Germany", "de", "de", 20, ("GmbH", "AG", "GmbH & Co. KG", "SE"), 1),
    Country("AT", "Austria", "de", "at", 3, ("GmbH", "AG"), 1),
    Country("CH", "Switzerland", "de", "ch", 2, ("AG", "GmbH"), 1),
    Country("FR", "France", "fr", "fr", 10, ("SAS", "SA", "SARL"), 1),
    Country("ES", "Spain", "es", "es", 8, ("S.L.", "S.A.", ""), 1),
    Country("IT", "Italy", "it", "it", 7, ("S.p.A.", "S.r.l.", ""), 1),
    Country("NL", "Netherlands", "nl", "nl", 7, ("B.V.", "N.V.", ""), 1),
    Country("BR", "Brazil", "pt", "com.br", 6, ("Ltda.", "S.A.", ""), -3),
    Country("PT", "Portugal", "pt", "pt", 3, ("Lda.", "S.A."), 0),
)

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("James", "Emily", "Michael", "Sarah", "David", "Jessica", "Priya", "Daniel", "Olivia",
           "Marcus", "Aisha", "Ryan", "Hannah", "Wei", "Chloe", "Kevin", "Fatima", "Liam",
           "Grace", "Arjun", "Megan", "Tom", "Rachel", "Jamal", "Sophie", "Connor"),
    "de": ("Thomas", "Anna", "Stefan", "Julia", "Andreas", "Katrin", "Jörg", "Sabine", "Lukas",
           "Lena", "Jürgen", "Büşra", "Markus", "Claudia", "Tobias", "Mehmet", "Franziska",
           "Björn", "Nicole", "Florian", "Małgorzata", "Dirk", "Anja", "Sven", "Ayşe",
           "Maximilian"),
    "fr": ("Jean-Pierre", "Marie", "Nicolas", "Camille", "Sébastien", "Élodie", "François",
           "Julie", "Mathieu", "Aurélie", "Karim", "Céline", "Thibault", "Inès", "Yannick",
           "Hélène", "Amine", "Gaëlle", "Olivier", "Manon"),
    "es": ("Javier", "María José", "Carlos", "Lucía", "Alejandro", "Carmen", "Sergio", "Núria",
           "Álvaro", "Marta", "Jordi", "Elena", "Iñaki", "Paula", "Raúl", "Begoña", "Diego",
           "Montserrat", "Pablo", "Ainhoa"),
    "it": ("Marco", "Giulia", "Alessandro", "Francesca", "Luca", "Chiara", "Matteo", "Federica",
           "Giuseppe", "Valentina", "Niccolò", "Elisa", "Davide", "Silvia", "Gianluca", "Ilaria"),
    "nl": ("Jeroen", "Sanne", "Pieter", "Femke", "Bram", "Anouk", "Maarten", "Lotte", "Joost",
           "Ingrid", "Sander", "Fleur", "Wouter", "Eline", "Mohamed", "Esther"),
    "pt": ("João", "Ana", "Pedro", "Mariana", "Rafael", "Beatriz", "Lucas", "Fernanda", "Tiago",
           "Inês", "Gustavo", "Luíza", "Rodrigo", "Camila", "Thiago", "Conceição"),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Nguyen", "Patel",
           "O'Brien", "Taylor", "Anderson", "Thompson", "Kim", "Singh", "Walker", "Hughes",
           "Clarke", "Evans", "Okafor", "Murphy", "Robinson", "Khan", "Wright", "Fitzgerald"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schäfer", "Koch", "Yılmaz", "Kowalski", "Hoffmann", "Groß", "Krüger", "Wolf",
           "Schröder", "Neumann", "Özdemir", "Zimmermann", "Braun", "Hartmann", "Lange",
           "Müller-Lüdenscheidt", "von Bergen", "Nowak"),
    "fr": ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux",
           "Benali", "Fontaine", "Chevalier", "Lemaire", "Nguyễn", "Dupont", "Mercier",
           "Garnier", "Faure", "de La Rochefoucauld", "Haddad", "Rousseau"),
    "es": ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
           "Pérez", "Gómez", "Ibáñez", "Núñez", "Castillo", "Puig", "Etxeberria", "Ortega",
           "Delgado", "Vidal", "Serrano", "Ruiz de Alda", "Molina"),
    "it": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
           "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "D'Angelo", "Lombardi",
           "Moretti", "Ferretti"),
    "nl": ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser",
           "Smit", "Meijer", "de Boer", "Mulder", "van der Linden", "Hendriks", "El Amrani",
           "Vermeulen", "Kuipers"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Carvalho", "Gonçalves",
           "Rodrigues", "Almeida", "Ferreira", "Lima", "Araújo", "Ribeiro", "Magalhães",
           "Nascimento"),
}


@dataclass(frozen=True, slots=True)
class Industry:
    key: str
    salesforce: str  # Account.Industry picklist value
    hubspot: str  # company industry enum


INDUSTRIES: tuple[Industry, ...] = (
    Industry("manufacturing", "Manufacturing", "MACHINERY"),
    Industry("logistics", "Transportation", "LOGISTICS_AND_SUPPLY_CHAIN"),
    Industry("software", "Technology", "COMPUTER_SOFTWARE"),
    Industry("banking", "Banking", "BANKING"),
    Industry("insurance", "Insurance", "INSURANCE"),
    Industry("healthcare", "Healthcare", "HOSPITAL_HEALTH_CARE"),
    Industry("retail", "Retail", "RETAIL"),
    Industry("energy", "Utilities", "UTILITIES"),
    Industry("construction", "Construction", "CONSTRUCTION"),
    Industry("food", "Food & Beverage", "FOOD_BEVERAGES"),
    Industry("telecom", "Telecommunications", "TELECOMMUNICATIONS"),
    Industry("consulting", "Consulting", "MANAGEMENT_CONSULTING"),
    Industry("pharma", "Biotechnology", "PHARMACEUTICALS"),
    Industry("media", "Media", "MARKETING_AND_ADVERTISING"),
)

# industry key -> the word a company of that trade puts in its name, per language.
_SECTOR_WORDS: dict[str, dict[str, str]] = {
    "en": {"manufacturing": "Precision", "logistics": "Freight", "software": "Analytics",
           "banking": "Capital", "insurance": "Mutual", "healthcare": "Health",
           "retail": "Stores", "energy": "Energy", "construction": "Builders", "food": "Foods",
           "telecom": "Telecom", "consulting": "Partners", "pharma": "Biosciences",
           "media": "Media"},
    "de": {"manufacturing": "Maschinenbau", "logistics": "Logistik", "software": "Informatik",
           "banking": "Privatbank", "insurance": "Versicherung", "healthcare": "Medizintechnik",
           "retail": "Handelshaus", "energy": "Energie", "construction": "Bau",
           "food": "Feinkost", "telecom": "Netze", "consulting": "Beratung",
           "pharma": "Pharma", "media": "Medien"},
    "fr": {"manufacturing": "Industrie", "logistics": "Transports", "software": "Informatique",
           "banking": "Banque", "insurance": "Assurances", "healthcare": "Santé",
           "retail": "Distribution", "energy": "Énergie", "construction": "Bâtiment",
           "food": "Alimentaire", "telecom": "Télécom", "consulting": "Conseil",
           "pharma": "Laboratoires", "media": "Médias"},
    "es": {"manufacturing": "Industrial", "logistics": "Transportes", "software": "Sistemas",
           "banking": "Banca", "insurance": "Seguros", "healthcare": "Salud",
           "retail": "Distribución", "energy": "Energía", "construction": "Construcciones",
           "food": "Alimentación", "telecom": "Telecomunicaciones", "consulting": "Consultoría",
           "pharma": "Farma", "media": "Medios"},
    "it": {"manufacturing": "Meccanica", "logistics": "Trasporti", "software": "Informatica",
           "banking": "Banca", "insurance": "Assicurazioni", "healthcare": "Sanità",
           "retail": "Distribuzione", "energy": "Energia", "construction": "Costruzioni",
           "food": "Alimentari", "telecom": "Telecomunicazioni", "consulting": "Consulenza",
           "pharma": "Farmaceutici", "media": "Media"},
    "nl": {"manufacturing": "Machinebouw", "logistics": "Logistiek", "software": "Software",
           "banking": "Bank", "insurance": "Verzekeringen", "healthcare": "Zorg",
           "retail": "Retail", "energy": "Energie", "construction": "Bouw", "food": "Voeding",
           "telecom": "Telecom", "consulting": "Advies", "pharma": "Pharma", "media": "Media"},
    "pt": {"manufacturing": "Metalúrgica", "logistics": "Transportes", "software": "Sistemas",
           "banking": "Banco", "insurance": "Seguros", "healthcare": "Saúde",
           "retail": "Comércio", "energy": "Energia", "construction": "Construções",
           "food": "Alimentos", "telecom": "Telecom", "consulting": "Consultoria",
           "pharma": "Farmacêutica", "media": "Comunicação"},
}

# Languages that put the trade word before the family name ("Transports Moreau").
_SECTOR_FIRST = {"fr", "es", "pt"}

_BRANDS = ("Nordlicht", "Alpenwerk", "Solvia", "Veritas", "Aurora", "Kestrel", "Bluefin",
           "Meridian", "Quadra", "Helix", "Orbis", "Tessera", "Lumen", "Cobalt", "Vantage",
           "Brightline", "Silverpeak", "Ostara", "Marisol", "Zephyr", "Rhenus", "Calder",
           "Northgate", "Albatros", "Iberia Sur", "Lagos Azul", "Ponte Vecchio")

VENDOR_DOMAIN = "brightwave.io"  # the demo org's own company: reps email from here
VENDOR_PRODUCT = "Brightwave"


@dataclass(frozen=True, slots=True)
class CompanyName:
    name: str  # the legal name as the Account / company holds it
    short: str  # what people write in titles and lead forms ("Müller Maschinenbau")
    domain: str


def ascii_slug(text: str) -> str:
    """'Müller-Lüdenscheidt' -> 'mueller-luedenscheidt'; for domains and email local parts."""
    text = (text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
            .replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue").replace("ı", "i")
            .replace("ł", "l").replace("Ł", "L"))
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def company_name(rng: random.Random, country: Country, industry: Industry,
                 taken_domains: set[str]) -> CompanyName:
    lang = country.language
    family = rng.choice(LAST_NAMES[lang])
    sector = _SECTOR_WORDS[lang][industry.key]
    pattern = rng.random()
    if lang == "de" and industry.key == "energy" and pattern < 0.5:
        short = f"Stadtwerke {rng.choice(('Lindenau', 'Rheinfeld', 'Altmühltal', 'Nordhafen'))}"
    elif pattern < 0.45:
        short = f"{sector} {family}" if lang in _SECTOR_FIRST else f"{family} {sector}"
    elif pattern < 0.7:
        short = f"{rng.choice(_BRANDS)} {sector}"
    elif pattern < 0.85:
        other = rng.choice(LAST_NAMES[lang])
        short = f"{family} & {other}" if other != family else f"{family} & Söhne"
    else:
        short = {"fr": "Groupe ", "es": "Grupo ", "pt": "Grupo "}.get(lang, "") + family
        short = short if short != family else f"{family} Group"
    form = rng.choice(country.legal_forms)
    name = f"{short} {form}".strip()
    base = ascii_slug(short.replace("&", " "))
    domain = f"{base}.{country.tld}"
    suffixes = iter(("-group", f"-{country.code.lower()}", "-online", "-1", "-2", "-3", "-4"))
    while domain in taken_domains:
        domain = f"{base}{next(suffixes, f'-{rng.randrange(10, 99)}')}.{country.tld}"
    taken_domains.add(domain)
    return CompanyName(name, short, domain)


def employee_count(rng: random.Random) -> int:
    """Skewed like a real target list: many mid-sized firms, a few very large ones."""
    bucket = rng.choices((30, 120, 450, 1800, 9000, 45000), weights=(12, 25, 28, 20, 10, 5))[0]
    return int(bucket * rng.uniform(0.6, 1.8))


def email_local_part(rng: random.Random, first: str, last: str) -> str:
    f, last_slug = ascii_slug(first), ascii_slug(last)
    f_dot = f.replace("-", ".")
    style = rng.random()
    if style < 0.62:
        return f"{f_dot}.{last_slug}"
    if style < 0.78:
        return f"{f[0]}.{last_slug}"
    if style < 0.84:
        return f"{f.replace('-', '')}{last_slug.replace('-', '')}"
    if style < 0.89:
        return f"{f[0]}{last_slug.replace('-', '')}"
    if style < 0.94:
        return f"{f.replace('-', '_')}_{last_slug.replace('-', '_')}"
    return f.replace("-", "")


def mixed_case_email(rng: random.Random, email: str, first: str, last: str) -> str:
    """How a rep types an address into Salesforce: 'Anna.Schmidt@Mueller-Bau.de'."""
    local, domain = email.split("@", 1)
    style = rng.random()
    if style < 0.15:
        return email.upper()
    if style < 0.6:
        domain = ".".join(p.capitalize() if i == 0 else p for i, p in enumerate(domain.split(".")))
    capitalised = re.sub(r"(^|[._-])([a-z])", lambda m: m.group(1) + m.group(2).upper(), local)
    return f"{capitalised}@{domain}"

"""Job titles of the demo org, by persona and language, and the noise real CRMs hold.

A persona is the seed's own intent for a person (who they are in a buying committee); it
is never stored. The enrichment code must infer the role from the title text alone, so the
titles are varied, multilingual and messy on purpose.
"""

from __future__ import annotations

import random

# persona -> language -> titles. English titles are also used abroad (international firms).
TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "exec": {
        "en": ("CEO", "Chief Executive Officer", "Managing Director", "Founder & CEO",
               "President", "Co-Founder", "Owner", "General Manager"),
        "de": ("Geschäftsführer", "Geschäftsführerin", "Vorstandsvorsitzender", "Inhaber",
               "Geschäftsführender Gesellschafter", "Vorstand", "GF"),
        "fr": ("Directeur Général", "PDG", "Président-directeur général", "Gérant",
               "Directrice Générale"),
        "es": ("Director General", "Consejero Delegado", "CEO y Fundador", "Directora General"),
        "it": ("Amministratore Delegato", "Direttore Generale", "Titolare", "AD"),
        "nl": ("Algemeen Directeur", "Directeur-eigenaar", "Oprichter", "Directeur"),
        "pt": ("Diretor Presidente", "Sócio-fundador", "Diretor Geral", "Sócio-Diretor"),
    },
    "finance_exec": {
        "en": ("CFO", "Chief Financial Officer", "VP Finance", "Head of Finance",
               "Finance Director", "Group Financial Controller", "VP, Finance & Administration"),
        "de": ("Finanzvorstand", "Leiter Finanzen", "Kaufmännischer Geschäftsführer", "CFO",
               "Leiterin Finanz- und Rechnungswesen", "Kaufmännische Leitung"),
        "fr": ("Directeur financier", "Directrice Administrative et Financière", "DAF",
               "Directeur Administratif et Financier"),
        "es": ("Director Financiero", "Directora de Finanzas", "Director Económico-Financiero"),
        "it": ("Direttore Finanziario", "Responsabile Amministrazione e Finanza", "CFO"),
        "nl": ("Financieel Directeur", "Hoofd Financiën", "CFO"),
        "pt": ("Diretor Financeiro", "Diretora Administrativo-Financeira", "CFO"),
    },
    "finance_staff": {
        "en": ("Accountant", "Financial Analyst", "Accounts Payable Specialist", "Controller"),
        "de": ("Buchhalterin", "Controller", "Sachbearbeiter Kreditorenbuchhaltung"),
        "fr": ("Comptable", "Contrôleur de gestion", "Analyste financier"),
        "es": ("Contable", "Analista Financiero", "Controller"),
        "it": ("Contabile", "Controller", "Impiegata amministrativa"),
        "nl": ("Boekhouder", "Financieel Medewerker", "Controller"),
        "pt": ("Analista Financeiro", "Contador", "Assistente Financeiro"),
    },
    "it_exec": {
        "en": ("CIO", "CTO", "Head of IT", "VP Engineering", "Chief Information Officer",
               "Director of IT", "VP, Information Technology"),
        "de": ("IT-Leiter", "Leiter IT", "Bereichsleiter IT", "CIO", "Leiterin Informatik"),
        "fr": ("Directeur des Systèmes d'Information", "DSI", "Directeur Informatique", "CTO"),
        "es": ("Director de Sistemas", "Director de TI", "CIO", "Directora de Tecnología"),
        "it": ("Responsabile Sistemi Informativi", "Direttore IT", "CIO"),
        "nl": ("Hoofd ICT", "IT Directeur", "CTO"),
        "pt": ("Diretor de TI", "Diretora de Tecnologia", "CIO", "Gerente Executivo de TI"),
    },
    "sales_exec": {
        "en": ("VP Sales", "Vice President of Sales", "Head of Sales", "Chief Revenue Officer",
               "Sales Director EMEA", "SVP Global Sales"),
        "de": ("Vertriebsleiter", "Leiter Vertrieb", "Vertriebsleiterin DACH",
               "Bereichsleiter Vertrieb"),
        "fr": ("Directeur commercial", "Directrice Commerciale France"),
        "es": ("Director Comercial", "Directora de Ventas"),
        "it": ("Direttore Commerciale", "Responsabile Vendite Italia"),
        "nl": ("Commercieel Directeur", "Sales Director Benelux"),
        "pt": ("Diretor Comercial", "Diretora de Vendas"),
    },
    "marketing_exec": {
        "en": ("CMO", "Head of Marketing", "VP Marketing", "Marketing Director"),
        "de": ("Marketingleiterin", "Leiter Marketing", "Head of Marketing & Kommunikation"),
        "fr": ("Directrice Marketing", "Directeur Marketing et Communication"),
        "es": ("Director de Marketing", "Directora de Marketing"),
        "it": ("Direttore Marketing", "Responsabile Marketing"),
        "nl": ("Marketing Directeur", "Hoofd Marketing"),
        "pt": ("Diretor de Marketing", "Gerente de Marketing"),
    },
    "ops_lead": {
        "en": ("Revenue Operations Manager", "Sales Operations Manager", "Head of RevOps",
               "Marketing Operations Manager", "CRM Manager", "Project Manager CRM",
               "Business Analyst", "Sr. Manager, Sales Ops"),
        "de": ("Projektleiter CRM", "Referent Vertriebssteuerung", "Leiter Vertriebsinnendienst",
               "CRM-Verantwortliche", "Teamleiter Sales Operations"),
        "fr": ("Chef de projet CRM", "Responsable Sales Ops", "Responsable CRM"),
        "es": ("Jefe de Proyecto CRM", "Responsable de Operaciones Comerciales"),
        "it": ("Project Manager CRM", "Responsabile CRM"),
        "nl": ("Projectleider CRM", "Manager Sales Operations"),
        "pt": ("Gerente de Projetos", "Coordenador de CRM", "Gerente de Operações Comerciais"),
    },
    "it_manager": {
        "en": ("IT Manager", "Head of Business Applications", "Enterprise Architect",
               "Salesforce Platform Owner", "IT Team Lead"),
        "de": ("Teamleiter Anwendungsentwicklung", "IT-Projektleiterin", "Leiter Applikationen",
               "Gruppenleiter IT-Infrastruktur"),
        "fr": ("Responsable Informatique", "Responsable des applications", "Chef de projet SI"),
        "es": ("Jefe de Sistemas", "Responsable de Aplicaciones"),
        "it": ("Responsabile IT", "Capo Progetto IT"),
        "nl": ("Teamleider Applicatiebeheer", "IT Manager"),
        "pt": ("Gerente de TI", "Coordenadora de Sistemas"),
    },
    "engineer": {
        "en": ("Software Engineer", "Senior Software Engineer", "Solutions Architect",
               "DevOps Engineer", "Salesforce Administrator", "Data Engineer",
               "CRM Administrator", "Integration Developer", "Sr. Backend Engineer"),
        "de": ("Softwareentwickler", "Systemadministrator", "Anwendungsbetreuer CRM",
               "Fachinformatiker Anwendungsentwicklung", "Datenbankentwicklerin"),
        "fr": ("Ingénieur logiciel", "Architecte SI", "Administrateur Salesforce",
               "Développeuse back-end"),
        "es": ("Ingeniero de Software", "Desarrolladora", "Administrador de Sistemas",
               "Arquitecto de Soluciones"),
        "it": ("Sviluppatore Software", "Sistemista", "Analista Programmatore"),
        "nl": ("Software Ontwikkelaar", "Applicatiebeheerder", "Data Engineer"),
        "pt": ("Desenvolvedor", "Analista de Sistemas", "Engenheira de Software"),
    },
    "business_user": {
        "en": ("Marketing Coordinator", "Marketing Specialist", "Sales Development Representative",
               "Account Executive", "Inside Sales Representative", "Customer Success Manager",
               "Content Marketing Manager", "Field Sales Representative", "Demand Gen Specialist"),
        "de": ("Sachbearbeiter Vertrieb", "Vertriebsinnendienst", "Marketing Referentin",
               "Key Account Manager", "Außendienstmitarbeiter", "Online-Marketing-Managerin"),
        "fr": ("Chargée de marketing", "Commercial sédentaire", "Ingénieur commercial",
               "Chef de produit marketing"),
        "es": ("Técnico de Marketing", "Comercial", "Ejecutiva de Cuentas", "Responsable de Zona"),
        "it": ("Impiegata commerciale", "Account Manager", "Marketing Specialist"),
        "nl": ("Marketing Medewerker", "Binnendienst Medewerker", "Accountmanager"),
        "pt": ("Analista de Marketing", "Assistente Comercial", "Executivo de Contas"),
    },
    "assistant": {
        "en": ("Office Manager", "Assistant to the CEO", "Executive Assistant",
               "Personal Assistant to the Managing Director"),
        "de": ("Assistentin der Geschäftsführung", "Office Managerin", "Sekretariat"),
        "fr": ("Assistante de direction", "Office manager"),
        "es": ("Asistente de Dirección", "Secretaria de Dirección"),
        "it": ("Assistente di direzione", "Segreteria"),
        "nl": ("Directiesecretaresse", "Office Manager"),
        "pt": ("Secretária Executiva", "Assistente da Diretoria"),
    },
    "procurement": {
        "en": ("Procurement Manager", "Purchasing Manager", "Strategic Buyer", "IT Buyer",
               "Category Manager Indirect Procurement", "Head of Procurement"),
        "de": ("Einkäufer", "Einkäuferin", "Leiter Einkauf", "Strategischer Einkauf IT",
               "Einkauf"),
        "fr": ("Acheteur", "Responsable Achats", "Acheteuse IT"),
        "es": ("Comprador", "Jefa de Compras", "Responsable de Compras"),
        "it": ("Responsabile Acquisti", "Buyer IT"),
        "nl": ("Inkoper", "Manager Inkoop"),
        "pt": ("Comprador Sênior", "Gerente de Suprimentos", "Compras"),
    },
    "legal": {
        "en": ("Legal Counsel", "General Counsel", "Senior Corporate Counsel",
               "Data Protection Officer", "Contracts Manager", "Paralegal"),
        "de": ("Syndikusrechtsanwalt", "Justiziar", "Datenschutzbeauftragter", "Leiterin Recht"),
        "fr": ("Juriste d'entreprise", "Responsable juridique",
               "Délégué à la protection des données"),
        "es": ("Abogada", "Asesor Jurídico", "Delegado de Protección de Datos"),
        "it": ("Legale Interno", "Responsabile Ufficio Legale"),
        "nl": ("Bedrijfsjurist", "Functionaris Gegevensbescherming"),
        "pt": ("Advogado Corporativo", "Gerente Jurídico"),
    },
    "security": {
        "en": ("CISO", "Chief Information Security Officer", "Head of Information Security",
               "IT Security Officer", "Security Engineer", "Security Analyst"),
        "de": ("Informationssicherheitsbeauftragter", "IT-Sicherheitsbeauftragte",
               "Leiter IT-Sicherheit", "ISB"),
        "fr": ("RSSI", "Responsable Sécurité des SI", "Analyste cybersécurité"),
        "es": ("Responsable de Ciberseguridad", "CISO", "Analista de Seguridad"),
        "it": ("Responsabile Sicurezza Informatica", "Security Analyst"),
        "nl": ("Security Officer", "Informatiebeveiliger"),
        "pt": ("Analista de Segurança da Informação", "Gerente de Segurança da Informação"),
    },
    "intern": {
        "en": ("Intern", "Marketing Intern", "Summer Intern - Sales", "Student", "Trainee"),
        "de": ("Werkstudent Marketing", "Praktikantin", "Werkstudentin",
               "Auszubildender Kaufmann für Büromanagement"),
        "fr": ("Stagiaire", "Alternante marketing"),
        "es": ("Becario", "Estudiante en prácticas"),
        "it": ("Stagista", "Tirocinante"),
        "nl": ("Stagiair", "Werkstudent"),
        "pt": ("Estagiário", "Estagiária de Marketing"),
    },
    "other": {
        "en": ("Consultant", "Freelance Consultant", "Retired", "Self-employed", "Advisor"),
        "de": ("Berater", "Freiberufler", "Selbstständig"),
        "fr": ("Consultant", "Indépendant"),
        "es": ("Consultor", "Autónomo"),
        "it": ("Consulente", "Libero professionista"),
        "nl": ("Zelfstandig adviseur", "ZZP'er"),
        "pt": ("Consultor", "Autônomo"),
    },
}

PERSONAS = tuple(TITLES)

# Who the deal planner casts in which part of a buying committee.
CHAMPIONS = ("ops_lead", "it_manager", "engineer")
DECISION_MAKERS = ("it_exec", "sales_exec", "marketing_exec", "exec")
ECONOMIC_BUYERS = ("finance_exec",)
USERS = ("business_user", "engineer", "intern", "assistant", "finance_staff")
SECURITY_AND_LEGAL = ("security", "legal")
LEADERS = DECISION_MAKERS + ECONOMIC_BUYERS

# The population a marketing database really holds: mostly doers, few executives.
FILLER_WEIGHTS: dict[str, int] = {
    "business_user": 22, "engineer": 14, "it_manager": 8, "ops_lead": 7, "assistant": 5,
    "intern": 5, "finance_staff": 4, "sales_exec": 4, "marketing_exec": 3, "it_exec": 4,
    "exec": 4, "finance_exec": 3, "procurement": 4, "legal": 3, "security": 4, "other": 6,
}

_ENGLISH_ABROAD = {"de": 0.25, "fr": 0.2, "es": 0.25, "it": 0.3, "nl": 0.5, "pt": 0.3}


def clean_title(rng: random.Random, persona: str, language: str) -> str:
    english_share = _ENGLISH_ABROAD.get(language, 1.0)
    lang = "en" if rng.random() < english_share else language
    return rng.choice(TITLES[persona][lang])


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 5:
        return text
    i = rng.randrange(1, len(text) - 2)
    if rng.random() < 0.5:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]  # swapped letters
    return text[:i] + text[i + 1:]  # dropped letter


def noisy_title(rng: random.Random, title: str, country_code: str, company_short: str) -> str:
    """What people really type: gender tags, '@ Company', typos, odd casing, stray spaces."""
    roll = rng.random()
    if country_code in {"DE", "AT", "CH"} and roll < 0.12:
        title += rng.choice((" (m/w/d)", " (w/m/d)", " (m/f/d)", " m/w/d"))
    elif roll < 0.17:
        title += rng.choice((f" @ {company_short}", f" at {company_short}",
                             f" | {company_short}", f" - {company_short}"))
    roll = rng.random()
    if roll < 0.03:
        title = _typo(rng, title)
    elif roll < 0.06:
        title = title.upper()
    elif roll < 0.10:
        title = title.lower()
    elif roll < 0.12:
        title = f" {title}  ".replace(" ", "  ", 1)
    return title


def title_for(rng: random.Random, persona: str, language: str, country_code: str,
              company_short: str) -> str | None:
    """A title as the person's first CRM record holds it; ~4% have none at all."""
    if rng.random() < 0.04:
        return None
    return noisy_title(rng, clean_title(rng, persona, language), country_code, company_short)


def title_in_other_crm(rng: random.Random, title: str | None, persona: str, language: str,
                       country_code: str, company_short: str) -> str | None:
    """The same person's title in the other CRM: usually equal, sometimes reworded, recased
    or missing (it was typed by someone else, or came from a form)."""
    roll = rng.random()
    if title is None or roll < 0.82:
        return title
    if roll < 0.86:
        return None
    if roll < 0.94:  # reworded / translated by the other team
        return noisy_title(rng, clean_title(rng, persona, language), country_code, company_short)
    return title.strip().title() if rng.random() < 0.7 else title.strip().upper()

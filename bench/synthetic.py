"""Realistic synthetic portfolios for the benchmarks: N IATI 2.03 activities in one XML file, or
N proposal YAML files. Seeded, so the same N gives the same bytes.

The activities are modelled on migration-related aid as watchdogs meet it (EU Emergency Trust
Fund for Africa style): real DAC recipient codes and purpose codes from the shipped reference
data, English and French narratives drawn from a bank of project phrases (border management,
livelihoods, return and reintegration, remittances, ...), one to three recipient countries with
percentages, budgets and commitments, participating organisations with roles and types, and now
and then a condition, a gender marker, SDG tags or a humanitarian flag.

Usage:
    python bench/synthetic.py iati N FILE.xml
    python bench/synthetic.py yaml N DIR
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "pcd_screen" / "data"
EXAMPLES = ROOT / "examples"
SEED = 20261123

# (weight, purpose codes, English phrases, French phrases): one theme per activity.
THEMES = [
    (
        3,
        ["15190", "15210"],
        [
            "Integrated border management and the fight against irregular migration",
            "Capacity building of the internal security forces for border management: border "
            "posts, mobile border units, training and equipment along the northern routes",
        ],
        [
            "Gestion intégrée des frontières et lutte contre la migration irrégulière",
            "Renforcement des capacités des forces de sécurité pour la gestion des frontières",
        ],
    ),
    (
        2,
        ["15190"],
        [
            "Assisted voluntary return and sustainable reintegration of migrants",
            "Return counselling, reintegration packages and community projects for returnees",
        ],
        [
            "Retour volontaire assisté et réintégration durable des migrants",
            "Conseil au retour, aide à la réintégration et projets communautaires",
        ],
    ),
    (
        3,
        ["11330", "16020", "25010"],
        [
            "Skills and jobs for young people in migration-prone regions",
            "Vocational training, apprenticeships and support to small enterprises so that "
            "young women and men find decent work close to home",
        ],
        [
            "Compétences et emplois pour les jeunes",
            "Formation professionnelle, apprentissage et appui aux petites entreprises",
        ],
    ),
    (
        2,
        ["72010", "72050", "16010"],
        [
            "Resilience of refugees and host communities",
            "Basic services, protection and livelihoods for refugees and the communities that "
            "host them, delivered with local authorities",
        ],
        [
            "Résilience des réfugiés et des communautés d'accueil",
            "Services de base, protection et moyens de subsistance pour les réfugiés",
        ],
    ),
    (
        1,
        ["24030", "24040"],
        [
            "Lower remittance costs and financial inclusion of migrant families",
            "Digital remittance channels, price comparison and savings products for families "
            "receiving money from relatives abroad",
        ],
        [
            "Réduction du coût des transferts de fonds",
            "Canaux numériques de transfert et inclusion financière des familles de migrants",
        ],
    ),
    (
        1,
        ["15190", "15110"],
        [
            "Support to the ECOWAS free movement protocol",
            "Harmonised travel documents, training of border officials on the rights of "
            "ECOWAS citizens and information for travellers on free movement",
        ],
        [
            "Appui au protocole de libre circulation de la CEDEAO",
            "Documents de voyage harmonisés et formation des agents aux droits des citoyens",
        ],
    ),
    (
        2,
        ["12220", "14030", "31120"],
        [
            "Primary health care, water and agriculture in rural districts",
            "Health centres, boreholes and support to smallholder farmers' cooperatives",
        ],
        [
            "Soins de santé primaires, eau et agriculture",
            "Centres de santé, forages et appui aux coopératives agricoles",
        ],
    ),
]
CONDITIONS = [
    (
        "1",
        "Disbursement of the second tranche is conditional on progress in cooperation on "
        "readmission of nationals and the issuance of emergency travel documents.",
    ),
    ("2", "Release of the variable tranche depends on the number of young people trained."),
    ("3", "Annual audit of the implementing agency."),
]
# Sentences that real descriptions add around the theme: they make every text different, so
# that keyword matching is measured as on real data and not answered from a cache.
CONTEXT = [
    "The action builds on a needs assessment carried out with local authorities in {place}.",
    "About {number} households in {place} are expected to benefit over the project period.",
    "Activities are coordinated with the regional development plan of {place}.",
    "A baseline survey of {number} respondents will be completed in the first six months.",
    "Women and young people make up at least {share}% of the participants in {place}.",
    "Monitoring follows the results framework agreed with the steering committee.",
    "The project works through {number} community-based organisations in {place}.",
]
PLACES = [
    "Agadez",
    "Tillabéri",
    "Mopti",
    "Kayes",
    "Tambacounda",
    "Kolda",
    "Gao",
    "Diffa",
    "Sabha",
    "Kasserine",
    "Gambella",
    "Arua",
    "Tamale",
    "Kano",
    "Oriental",
    "Sud-Est",
]
IMPLEMENTERS = [
    ("XM-DAC-47066", "40", "International Organization for Migration"),
    ("XM-DAC-41121", "40", "UNHCR"),
    ("XM-DAC-41122", "40", "UNICEF"),
    ("DE-1", "10", "Deutsche Gesellschaft für Internationale Zusammenarbeit"),
    ("FR-6", "10", "Agence française de développement"),
    ("", "21", "Danish Refugee Council"),
    ("", "22", "Association nationale pour le développement rural"),
    ("", "15", "Civipol"),
]
# Recipients weighted towards the Sahel and North Africa, as in the Trust Fund's portfolio.
COUNTRIES = ["NE", "ML", "TD", "BF", "SN", "GM", "NG", "MA", "TN", "LY", "ET", "SD", "UG", "GH"]


def _purpose_codes() -> set[str]:
    with open(DATA / "purpose_codes.csv", encoding="utf-8") as handle:
        rows = csv.reader(line for line in handle if not line.startswith("#"))
        return {row[0] for row in rows}


def _activity(rng: random.Random, number: int, codes: set[str]) -> str:
    weights = [t[0] for t in THEMES]
    _w, sectors, english, french = rng.choices(THEMES, weights)[0]
    sector = rng.choice([s for s in sectors if s in codes] or sectors)
    start = rng.randint(2016, 2025)
    years = rng.randint(1, 5)
    budget = rng.choice([1, 2, 5, 10, 25, 40]) * 1_000_000
    countries = rng.sample(COUNTRIES, rng.choice([1, 1, 1, 2, 3]))
    shares = [100] if len(countries) == 1 else _split(rng, len(countries))
    lines = [
        ' <iati-activity xml:lang="en" default-currency="EUR" '
        f'humanitarian="{int(rng.random() < 0.15)}" last-updated-datetime="2026-01-01T00:00:00Z">',
        f"  <iati-identifier>XI-IATI-SYN-{number:07d}</iati-identifier>",
        '  <reporting-org ref="XI-IATI-SYN" type="15"><narrative>Synthetic donor</narrative>'
        "</reporting-org>",
        "  <title>",
        f"   <narrative>{escape(english[0])}</narrative>",
        f'   <narrative xml:lang="fr">{escape(french[0])}</narrative>',
        "  </title>",
        '  <description type="1">',
        f"   <narrative>{escape(_description(rng, english[1]))}</narrative>",
        f'   <narrative xml:lang="fr">{escape(french[1])}.</narrative>',
        "  </description>",
        '  <participating-org ref="XI-IATI-SYN" role="1" type="15"><narrative>Synthetic trust '
        "fund</narrative></participating-org>",
    ]
    for ref, kind, name in rng.sample(IMPLEMENTERS, rng.choice([1, 1, 2])):
        attr = f" ref={quoteattr(ref)}" if ref else ""
        lines.append(
            f'  <participating-org{attr} role="4" type="{kind}"><narrative>{escape(name)}'
            "</narrative></participating-org>"
        )
    lines += [
        '  <activity-status code="2"/>',
        f'  <activity-date iso-date="{start}-01-01" type="1"/>',
        f'  <activity-date iso-date="{start + years}-12-31" type="3"/>',
    ]
    lines += [
        f'  <recipient-country code="{code}" percentage="{share}"/>'
        for code, share in zip(countries, shares, strict=True)
    ]
    lines.append(f'  <sector vocabulary="1" code="{sector}" percentage="100"/>')
    if rng.random() < 0.3:
        lines.append('  <tag vocabulary="3" code="10.7"/>')
    if rng.random() < 0.6:
        lines.append(
            f'  <policy-marker vocabulary="1" code="1" significance="{rng.choice([0, 1, 2])}"/>'
        )
    lines += [
        '  <default-flow-type code="10"/>',
        '  <default-finance-type code="110"/>',
        '  <budget type="1" status="2">',
        f'   <period-start iso-date="{start}-01-01"/>'
        f'<period-end iso-date="{start + years}-12-31"/>',
        f'   <value currency="EUR" value-date="{start}-01-01">{budget}</value>',
        "  </budget>",
        "  <transaction>",
        '   <transaction-type code="2"/>',
        f'   <transaction-date iso-date="{start}-02-01"/>',
        f'   <value currency="EUR" value-date="{start}-02-01">{budget}</value>',
        "  </transaction>",
    ]
    if rng.random() < 0.12:
        kind, text = rng.choice(CONDITIONS)
        lines += [
            '  <conditions attached="1">',
            f'   <condition type="{kind}"><narrative>{escape(text)}</narrative></condition>',
            "  </conditions>",
        ]
    lines.append(" </iati-activity>")
    return "\n".join(lines)


def _description(rng: random.Random, theme: str) -> str:
    sentences = [theme + "."]
    for template in rng.sample(CONTEXT, rng.randint(2, 4)):
        place = rng.choice(PLACES)
        sentences.append(
            template.format(place=place, number=rng.randint(40, 40000), share=rng.randint(30, 70))
        )
    return " ".join(sentences)


def _split(rng: random.Random, parts: int) -> list[int]:
    cuts = sorted(rng.sample(range(10, 91, 10), parts - 1))
    edges = [0, *cuts, 100]
    return [b - a for a, b in zip(edges, edges[1:], strict=False)]


def write_iati(count: int, path: Path) -> None:
    rng = random.Random(SEED)
    codes = _purpose_codes()
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write("<!-- Synthetic IATI activities for the pcd-screen benchmark (bench/). -->\n")
        out.write('<iati-activities version="2.03" generated-datetime="2026-01-01T00:00:00Z">\n')
        for number in range(count):
            out.write(_activity(rng, number, codes) + "\n")
        out.write("</iati-activities>\n")


def write_yaml(count: int, folder: Path) -> None:
    """Proposals made from the bundled examples, with other ids, countries and budgets."""
    rng = random.Random(SEED)
    examples = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.yaml"))
    ]
    alpha3 = ["NER", "MLI", "TCD", "ETH", "SEN", "GMB", "MAR", "TUN", "LBY", "NGA", "UGA", "SDN"]
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        data = dict(examples[number % len(examples)])
        data["id"] = f"SYN-{number:06d}"
        scale = rng.choice([0.5, 1, 2, 3])
        if isinstance(data.get("budget"), dict) and data["budget"].get("total"):
            data["budget"] = {**data["budget"], "total": data["budget"]["total"] * scale}
            data["activities"] = [
                {**a, "budget": a["budget"] * scale} if a.get("budget") else a
                for a in data.get("activities") or []
            ]
        if data.get("countries") and len(data["countries"]) == 1:
            data["countries"] = [{"code": rng.choice(alpha3), "percentage": 100}]
        (folder / f"p{number:06d}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["iati", "yaml"])
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    (write_iati if args.kind == "iati" else write_yaml)(args.count, args.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Generate a realistic synthetic caseload of N learners for benchmarks.

Every generated case is valid (``pathway validate`` reports no errors) and of the size
practitioners write by hand: a learner profile, an assessment, a plan of 2-5 goals, a
contract and 1-6 reviews, with a spread of statuses, attendance and well-being so that
summaries and alerts have something to do.

    python benchmarks/generate.py /tmp/caseload --learners 2000
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

__all__ = ["generate_caseload"]

FIRST = ["Amira", "Łukasz", "Zofia", "José", "Elif", "Oleksandr", "Giulia", "João", "Jonas",
         "Rania", "Çağrı", "Marta", "Ahmet", "Inès", "Søren", "Aino", "Mateo", "Ivana",
         "Kateryna", "Noah", "Lea", "Yusuf", "Chiara", "Tomás"]
LAST = ["Haddad", "Zieliński", "Wiśniewska", "Núñez", "Yılmaz", "Kovalenko", "Esposito",
        "Conceição", "Müller", "Mansour", "Öztürk", "Nowak", "Demir", "Dubois", "Jensen",
        "Virtanen", "García", "Horvat", "Shevchenko", "Schmidt", "Fischer", "Kaya", "Rossi"]
PROGRAMMES = [("Electrician (EQF 4)", "construction"), ("Cook (EQF 3)", "hospitality"),
              ("Industrial mechanic (EQF 4)", "manufacturing"),
              ("Medical assistant (EQF 4)", "health"), ("Retail clerk (EQF 3)", "retail"),
              ("Warehouse logistics (EQF 3)", "logistics")]
GROUPS = ["early-leaver", "at-risk", "transition", "low-performing", "migrant", "vet-school",
          "vet-work-based", "re-entry"]
AREAS = ["learning", "career", "wellbeing", "attendance", "basic-skills", "social"]
SUMMARIES = [
    "Settling in well; the practical workshop days are the highlight of the week.",
    "Finds the theory lessons hard going, but keeps coming. Maths remains the sticking point.",
    "Talked through the options for the second year; interested in the work-based route.",
    "Missed several Mondays because of the commute; we looked at bus times together.",
    "Proud of the first assessed piece of work. Wants to help newer learners next term.",
]


NOTES = ["steady progress, mock test went better", "missed one tutoring session",
         "on track; next step agreed", "needs more practice with the formulas"]


def _d(day: date) -> date:
    # dates are written unquoted, as practitioners write them
    return day


def _case(rng: random.Random, index: int, today: date, years: int = 0) -> dict[str, Any]:
    case_id = f"L-{2000 + index // 10000}-{index:04d}"
    # With years > 0, cases run for up to that many years and their reviews accumulate.
    opened = today - timedelta(days=rng.randint(40, max(400, 365 * years)))
    status = rng.choices(["active", "active", "active", "paused", "completed", "referred"],
                         k=1)[0]
    title, sector = rng.choice(PROGRAMMES)
    team = [
        {"id": "coach1", "name": "Tobias Keller", "role": "coach",
         "organisation": "Berufsschule Nord", "contact": "t.keller@example.org",
         "independent": False},
        {"id": "teach1", "name": "Ana Petrović", "role": "teacher",
         "organisation": "Berufsschule Nord"},
    ]
    if rng.random() < 0.5:
        team.append({"id": "mentor1", "name": "Klaus Weber", "role": "mentor",
                     "independent": True, "trained": _d(opened - timedelta(days=90))})
    learner: dict[str, Any] = {
        "id": case_id,
        "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "date_of_birth": _d(date(2004 + rng.randint(0, 6), rng.randint(1, 12),
                                 rng.randint(1, 28))),
        "languages": rng.sample(["de", "en", "ar", "uk", "tr", "pl", "es", "pt"], 2),
        "status": status,
        "opened": _d(opened),
        "groups": rng.sample(GROUPS, rng.randint(1, 3)),
        "programme": {"title": title, "provider": "Berufsschule Nord",
                      "mode": rng.choice(["school-based", "work-based", "dual"]),
                      "sector": sector, "start": _d(opened),
                      "expected_end": _d(opened + timedelta(days=1000))},
        "key_worker": "coach1",
        "team": team,
        "interests": rng.sample(["football", "music", "gaming", "cooking", "cycling"], 2),
        "aspirations": ["finish the qualification", "find a good employer"],
        "consent": {"data_processing": {"given": True, "date": _d(opened), "by": "learner"},
                    "share_with": rng.sample(["guardian", "employer"], rng.randint(0, 2))},
    }
    files: dict[str, Any] = {"learner.yaml": learner}
    if status == "referred":
        return {"id": case_id, "files": files, "reviews": {}}
    assessed = opened + timedelta(days=rng.randint(3, 10))
    needs = [{"id": f"N{i + 1}", "category": rng.choice(["learning", "language", "health",
                                                         "social", "financial"]),
              "need": "support with the theory modules", "support": "weekly tutoring"}
             for i in range(rng.randint(1, 3))]
    files["assessment.yaml"] = {
        "date": _d(assessed), "assessor": "coach1",
        "skills": {k: {"level": rng.randint(1, 5), "evidence": "placement test"}
                   for k in ("literacy", "numeracy", "digital", "language")},
        "self_assessment": {"literacy": rng.randint(1, 5), "numeracy": rng.randint(1, 5)},
        "motivation": rng.randint(1, 5),
        "prior_learning": [{"what": "lower secondary certificate", "kind": "formal",
                            "year": opened.year - 1}],
        "hidden_skills": [{"skill": "customer service", "evidence": "family shop"}],
        "strengths": ["practical problem solving"],
        "barriers": ["long commute"],
        "support_needs": needs,
    }
    agreed = assessed + timedelta(days=rng.randint(3, 14))
    goals = []
    for g in range(rng.randint(2, 5)):
        goal_status = rng.choice(["planned", "in-progress", "in-progress", "achieved", "at-risk"])
        goal: dict[str, Any] = {
            "id": f"G{g + 1}", "area": rng.choice(AREAS),
            "goal": "Pass the module on the basics of the trade",
            "measure": "module assessment score", "target": ">= 60%",
            "baseline": "45% in the mock test", "due": _d(agreed + timedelta(days=rng.randint(60,
                                                                                               300))),
            "owner": "learner",
            "support": [{"action": "weekly tutoring", "owner": "teach1",
                         "needs": [needs[0]["id"]]}],
            "status": goal_status, "progress": rng.randint(0, 100),
        }
        if goal_status == "achieved":
            goal["achieved_on"] = _d(agreed + timedelta(days=rng.randint(10, 40)))
        goals.append(goal)
    files["plan.yaml"] = {
        "agreed": _d(agreed), "goals": goals,
        "career": {"objective": "qualified in the trade", "next_steps": ["work-shadowing day"]},
        "wellbeing": {"needs": ["sleep routine"], "actions": [{"action": "talk to the school "
                                                                        "psychologist"}]},
    }
    files["contract.yaml"] = {
        "version": 1, "start": _d(agreed), "end": _d(agreed + timedelta(days=300)),
        "learner_commits": ["attend at least 90% of lessons"],
        "provider_commits": ["weekly one-to-one session with the coach"],
        "entitlements": ["travel allowance, 40 EUR a month"],
        "signatures": [{"party": "learner", "name": learner["name"], "date": _d(agreed)},
                       {"party": "provider", "name": "Tobias Keller", "date": _d(agreed)}],
    }
    if years and rng.random() < 0.25:
        # A caseload with history has loose ends: contracts the learner has not signed yet
        # (a warning of validate), as a real one does.
        files["contract.yaml"]["signatures"].pop(0)
    reviews: dict[str, Any] = {}
    day = agreed + timedelta(days=7)
    attendance = rng.uniform(0.7, 1.0)
    for _ in range(rng.randint(1, 6) if not years else 13 * years):
        if day >= today:
            break
        attendance = min(1.0, max(0.4, attendance + rng.uniform(-0.15, 0.1)))
        nxt = day + timedelta(days=28 if not years else rng.choice((28, 42, 56, 84)))
        reviews[f"{_d(day)}.yaml"] = {
            "date": _d(day), "kind": rng.choice(["mentoring", "coaching", "progress-review"]),
            "with": ["coach1"], "attendance": round(attendance, 2),
            "wellbeing": rng.randint(1, 5), "engagement": rng.randint(1, 5),
            "goals": {g["id"]: {"status": g["status"], "progress": g["progress"],
                                "note": rng.choice(NOTES)} for g in goals[:3]},
            "summary": "\n".join(rng.sample(SUMMARIES, 3 if not years else 5)) + "\n",
            "reflection": "I want to get better at the formulas.\n"
                          "The workshop days are the best part of the week.\n",
            "private_notes": "Family under financial pressure; check the allowance.\n"
                             "Mother asked us to call her, not the father.\n",
            "concerns": ["commute on Mondays", "maths anxiety before tests"],
            "actions": [{"action": "ask the employer about a later Monday start",
                         "owner": "coach1", "due": _d(day + timedelta(days=7)),
                         "done": rng.random() < 0.6},
                        {"action": "book two extra maths tutoring sessions",
                         "owner": "teach1", "due": _d(day + timedelta(days=14)),
                         "done": rng.random() < 0.6}],
            "next_review": _d(nxt),
        }
        day = nxt
    if status == "completed":
        learner["closed"] = _d(today - timedelta(days=1))
        learner["outcome"] = "completed"
    return {"id": case_id, "files": files, "reviews": reviews}


class _PlainDumper(yaml.SafeDumper):
    """Writes every value out, as a person would, instead of &id001 anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Multi-line notes are written as `|` blocks, as practitioners write them.
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_PlainDumper.add_representer(str, _text)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100)


def generate_caseload(root: Path, n: int = 2000, seed: int = 1,
                      today: date = date(2026, 11, 23), *, years: int = 0) -> Path:
    """Write a caseload of ``n`` valid synthetic learners under ``root``; return ``root``.

    ``years`` > 0 makes a caseload with history: cases opened up to that many years ago, each
    reviewed about every four weeks since (fuller notes), as a service that has run for years.
    """
    rng = random.Random(seed)
    (root / "cases").mkdir(parents=True, exist_ok=True)
    (root / "pathway.yaml").write_text(
        "organisation: Berufsschule Nord\nlocale: en\nreview_every_days: 28\n", encoding="utf-8"
    )
    for index in range(n):
        case = _case(rng, index, today, years)
        folder = root / "cases" / case["id"]
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in case["files"].items():
            header = f"# {name.removesuffix('.yaml')} record of {case['id']}, kept by coach1\n"
            (folder / name).write_text(header + _dump(data), encoding="utf-8")
        if case["reviews"]:
            (folder / "reviews").mkdir(exist_ok=True)
            for name, data in case["reviews"].items():
                header = f"# {data['kind']} session, notes written the same day\n"
                (folder / "reviews" / name).write_text(header + _dump(data), encoding="utf-8")
    return root


def main() -> None:
    """Command line: ``generate.py DIR --learners N [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=0,
                        help="history: cases up to this many years old, reviews accumulating")
    args = parser.parse_args()
    generate_caseload(args.folder, args.learners, args.seed, years=args.years)
    print(f"wrote {args.learners} learners to {args.folder}")


if __name__ == "__main__":
    main()

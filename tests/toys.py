"""Toy extensions that tests/test_architecture.py registers: each kind is added in one place."""


def render_toy(results, run) -> str:
    return "".join(f"TOY {r.proposal['id']} {r.verdict}\n" for r in results)


def read_toy(file, lang="en", max_size=None):
    with open(file, encoding="utf-8") as handle:
        for line in handle:
            pid, _, title = line.strip().partition(" ")
            yield {"schema_version": 1, "id": pid, "title": title}

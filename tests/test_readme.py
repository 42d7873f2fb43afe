"""The README's examples work as written."""

import re
from pathlib import Path

from django.core.management import call_command

from ladders.models import Placement
from people.models import User

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_hris_example_feeds_both_imports(ft, tmp_path):
    sample = re.search(r"```csv\n(.*?)```", README, re.DOTALL).group(1)
    path = tmp_path / "hris.csv"
    path.write_text(sample)

    call_command("import_people", str(path))
    call_command("import_placements", str(path))

    ada = User.objects.get(email="ada@example.com")
    assert ada.manager.email == "marcus@example.com"
    assert (ada.department.name, ada.team.name, ada.timezone) == ("Product Engineering", "Checkout", "Europe/London")
    standing = {p.person.email: (p.level.code, p.track.slug) for p in Placement.objects.select_related("person", "level", "track")}
    assert standing == {"ada@example.com": ("senior-1", "ic"), "marcus@example.com": ("senior-2-pm", "pm")}


def test_the_two_commands_are_the_quick_start():
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert re.findall(r"^make (\w+)", quick_start, re.MULTILINE) == ["run", "test"]

from __future__ import annotations

from pathlib import Path

import pytest

from tracer import config
from tracer.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "compliance-config.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_policy_covers_all_five_frameworks() -> None:
    org = config.load(None)
    assert set(org.frameworks) == {"PCI-DSS", "HIPAA", "GDPR", "SOX", "SOC2"}
    assert org.path == "built-in default policy"
    assert org.risk.weights["payment"] == 3.0


def test_seed_format_is_read_and_overrides_the_default(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
frameworks:
  PCI-DSS:
    triggers:
      keywords: [payment, credit card]
      components: [payments]
      labels: [pci]
    requirements:
      - bcrypt_cost: 13
      - audit_logging: true
risk:
  weights: {payment: 4}
""",
    )
    org = config.load(path)
    pci = org.frameworks["PCI-DSS"]
    assert pci.triggers.keywords == ("payment", "credit card")
    assert pci.requirements == (("bcrypt_cost", 13), ("audit_logging", True))
    assert org.risk.weights["payment"] == 4.0
    assert org.risk.weights["health_data"] == 3.0  # the rest of the default stays
    assert "HIPAA" in org.frameworks


def test_unknown_keys_warn_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "frameworks:\n  PCI-DSS:\n    enabled: true\n    trigers: {}\nextra: 1\n")
    org = config.load(path)
    assert any(f"{path}:4" in w and "frameworks.PCI-DSS.trigers" in w for w in org.warnings)
    assert any(f"{path}:5" in w and "'extra'" in w for w in org.warnings)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "frameworks:\n  PCI-DSS: {enabled: true\n")
    with pytest.raises(ConfigError, match=rf"{path}:\d+: YAML syntax error"):
        config.load(path)


def test_wrong_type_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "frameworks:\n  HIPAA:\n    enabled: maybe\n")
    with pytest.raises(ConfigError) as raised:
        config.load(path)
    assert f"{path}:3: frameworks.HIPAA.enabled" in raised.value.message


def test_weight_out_of_range_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "risk:\n  weights:\n    payment: 40\n")
    with pytest.raises(ConfigError, match=r"risk\.weights\.payment"):
        config.load(path)


def test_waiver_without_reason_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "waivers:\n  - control: rate_limiting\n    owner: sec\n")
    with pytest.raises(ConfigError, match=r"needs a `reason`"):
        config.load(path)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        config.load(tmp_path / "nope.yml")


def test_find_config_beside_path_then_at_git_top(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    app = tmp_path / "services" / "app"
    app.mkdir(parents=True)
    assert config.find_config(app) is None
    top = write(tmp_path, "frameworks: {}\n")
    assert config.find_config(app) == top
    local = app / "compliance-config.yml"
    local.write_text("frameworks: {}\n", encoding="utf-8")
    assert config.find_config(app) == local


def test_bad_enforcement_mode(tmp_path: Path) -> None:
    path = write(tmp_path, "enforcement: loud\n")
    with pytest.raises(ConfigError, match="enforcement"):
        config.load(path)

"""Production settings refuse unsafe configurations and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]
GOOD_KEY = "k7Qz!p2vX9#mR4tW8yB1nL6cF3hJ0sD5gA-eU_iO+rT2wE9qZ7xV4bN1mK8jH6g"  # 62 characters


def _run(args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEMO_MODE",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and not key.startswith("PYTEST")
    }
    env.update(
        RATHAUS_ENV="production",
        DJANGO_SETTINGS_MODULE="rathaus.settings",
        DATABASE_URL="sqlite:///:memory:",
        **env_overrides,
    )
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def _setup(**env_overrides):
    return _run(["-c", "import django; django.setup()"], **env_overrides)


def test_good_key_is_long_enough():
    assert len(GOOD_KEY) >= 60


def test_production_refuses_debug():
    result = _setup(DEBUG="1", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="rathaus.example", DEMO_MODE="0")
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


@pytest.mark.parametrize("key", [None, "django-insecure-rathaus-development-only", "short-key"])
def test_production_refuses_default_or_short_secret_key(key):
    overrides = {"ALLOWED_HOSTS": "rathaus.example", "DEMO_MODE": "0"}
    if key is not None:
        overrides["SECRET_KEY"] = key
    result = _setup(**overrides)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_without_allowed_hosts():
    result = _setup(SECRET_KEY=GOOD_KEY, DEMO_MODE="0")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_demo_mode():
    result = _setup(SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="rathaus.example", DEMO_MODE="1")
    assert result.returncode != 0
    assert "DEMO_MODE" in result.stderr


def test_production_passes_deployment_checks():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="rathaus.example",
        DEMO_MODE="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr

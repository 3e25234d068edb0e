import pytest
from django.core.management import CommandError, call_command

from people.apikeys import create_api_key, digest, revoke_api_key, user_for_key
from people.models import ApiKey


def test_a_key_is_stored_only_as_a_digest_and_finds_its_account(db):
    key, raw = create_api_key("hotline-12345")
    assert raw.startswith("lx_") and len(raw) > 40
    assert key.digest == digest(raw) and raw not in (key.digest, key.prefix)
    assert user_for_key(raw) == key.user
    assert user_for_key(raw + "x") is None
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_revoked_key_no_longer_works(db):
    _, raw = create_api_key("mini-program")
    assert revoke_api_key("mini-program")
    assert user_for_key(raw) is None
    assert not revoke_api_key("mini-program")


def test_the_command_prints_the_key_alone_on_its_last_line(db, capsys):
    call_command("create_api_key", "provincial-platform")
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert user_for_key(last_line) is not None
    assert ApiKey.objects.get(name="provincial-platform").prefix == last_line[:10]


def test_the_command_refuses_a_duplicate_name_with_a_message(db):
    call_command("create_api_key", "dup")
    with pytest.raises(CommandError, match="已存在同名密钥"):
        call_command("create_api_key", "dup")
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("create_api_key", "other", "--user", "nobody")

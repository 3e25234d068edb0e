from django.urls import reverse


def test_pages_switch_to_english_and_back(world, client):
    client.force_login(world.dispatcher)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    body = response.content.decode()
    assert "Triage and assignment" in body and "中文" in body
    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/"}, follow=True
    )
    assert "研判交办" in response.content.decode()

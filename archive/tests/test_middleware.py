from django.test import TestCase


class NulBytesTests(TestCase):
    """A NUL byte anywhere a query could see it is a 400, on every database."""

    def test_query_string_path_and_cookie(self):
        self.assertEqual(self.client.get("/news/?q=%00").status_code, 400)
        self.assertEqual(self.client.get("/news/?a%00b=1").status_code, 400)
        self.assertEqual(self.client.get("/news/%00/").status_code, 400)
        self.client.cookies["sessionid"] = "abcdefgh\x00ij"
        response = self.client.get("/news/")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "cannot read", status_code=400)

    def test_ordinary_requests_pass(self):
        self.assertEqual(self.client.get("/news/?q=%D0%9E%D0%94%D0%9A%D0%91").status_code, 200)

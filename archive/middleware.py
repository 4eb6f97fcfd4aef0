from django.core.exceptions import SuspiciousOperation
from django.views.defaults import bad_request

NUL = "\x00"


def has_nul_bytes(request):
    if NUL in request.path:
        return True
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return True
    return any(NUL in key or NUL in value for key, value in request.COOKIES.items())


class RejectNullBytesMiddleware:
    """
    Answer 400 to a request whose address, query string or cookies hold a NUL
    byte. PostgreSQL refuses NUL in text, so such a value would otherwise
    reach a query (an admin search, a session lookup) and fail there as a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul_bytes(request):
            return bad_request(request, SuspiciousOperation("NUL byte in the request"))
        return self.get_response(request)

from django.http import HttpRequest

from lectio import __version__


def lectio(request: HttpRequest) -> dict:
    return {"lectio_version": __version__}

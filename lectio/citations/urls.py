from django.urls import path

from lectio.citations import views

app_name = "citations"

urlpatterns = [
    path("citeit/", views.citeit, name="citeit"),
    path("citeit/install/", views.install, name="install"),
]

"""Institution data pages for administrators: loader uploads and their jobs."""

app_name = "courses"
urlpatterns: list = []

from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("seite/<slug:kind>/", views.legal_page, name="legal_page"),
    path("sprache/", views.language_switch, name="language"),
    path("logo", views.branding_logo, name="branding_logo"),
    path("gestaltung.css", views.branding_css, name="branding_css"),
    path("demo/postausgang/", views.demo_outbox, name="demo_outbox"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
    path("bench/floor", views.bench_floor, name="bench_floor"),
    path("robots.txt", views.robots_txt, name="robots"),
]

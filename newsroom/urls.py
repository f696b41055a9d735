from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .feeds import LatestArticlesFeed
from .languages import language_switch
from .sitemaps import SITEMAPS

app_name = "newsroom"

urlpatterns = [
    path("", views.front_page, name="front_page"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("support/", views.support, name="support"),
    path("language/<str:code>/", language_switch, name="language"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

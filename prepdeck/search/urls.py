from django.urls import path

from prepdeck.search import apis

urlpatterns = [
    path("search/", apis.SearchApi.as_view(), name="search"),
    path(
        "questions/<int:question_id>/similar/",
        apis.SimilarQuestionsApi.as_view(),
        name="question-similar",
    ),
]

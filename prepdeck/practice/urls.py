from django.urls import path

from prepdeck.practice import apis

urlpatterns = [
    path("practice/queue/", apis.QueueApi.as_view(), name="practice-queue"),
    path("practice/reviews/", apis.ReviewListApi.as_view(), name="practice-reviews"),
    path("practice/reviews/undo/", apis.ReviewUndoApi.as_view(), name="practice-review-undo"),
    path(
        "practice/cards/<int:question_id>/suspend/",
        apis.CardSuspendApi.as_view(),
        name="practice-card-suspend",
    ),
    path(
        "practice/cards/<int:question_id>/unsuspend/",
        apis.CardUnsuspendApi.as_view(),
        name="practice-card-unsuspend",
    ),
    path("practice/cards/<int:question_id>/bury/", apis.CardBuryApi.as_view(), name="practice-card-bury"),
    path("practice/statistics/", apis.StatisticsApi.as_view(), name="practice-statistics"),
    path("grade/", apis.GradeApi.as_view(), name="grade"),
    path("practice/quizzes/", apis.QuizListApi.as_view(), name="quiz-list"),
    path("practice/quizzes/<int:quiz_id>/", apis.QuizDetailApi.as_view(), name="quiz-detail"),
    path(
        "practice/quizzes/<int:quiz_id>/items/<int:position>/answer/",
        apis.QuizAnswerApi.as_view(),
        name="quiz-answer",
    ),
    path(
        "practice/quizzes/<int:quiz_id>/items/<int:position>/override/",
        apis.QuizOverrideApi.as_view(),
        name="quiz-override",
    ),
    path("practice/mock-interviews/", apis.MockListApi.as_view(), name="mock-list"),
    path("practice/mock-interviews/<int:interview_id>/", apis.MockDetailApi.as_view(), name="mock-detail"),
    path(
        "practice/mock-interviews/<int:interview_id>/answer/",
        apis.MockAnswerApi.as_view(),
        name="mock-answer",
    ),
    path(
        "practice/mock-interviews/<int:interview_id>/finish/",
        apis.MockFinishApi.as_view(),
        name="mock-finish",
    ),
]

from django.urls import path

from prepdeck.practice.apis import grading, mock_interviews, quizzes, reviews, statistics

urlpatterns = [
    path("practice/queue/", reviews.QueueApi.as_view(), name="practice-queue"),
    path("practice/reviews/", reviews.ReviewListApi.as_view(), name="practice-reviews"),
    path("practice/reviews/undo/", reviews.ReviewUndoApi.as_view(), name="practice-review-undo"),
    path(
        "practice/cards/<int:question_id>/suspend/",
        reviews.CardSuspendApi.as_view(),
        name="practice-card-suspend",
    ),
    path(
        "practice/cards/<int:question_id>/unsuspend/",
        reviews.CardUnsuspendApi.as_view(),
        name="practice-card-unsuspend",
    ),
    path("practice/cards/<int:question_id>/bury/", reviews.CardBuryApi.as_view(), name="practice-card-bury"),
    path("practice/statistics/", statistics.StatisticsApi.as_view(), name="practice-statistics"),
    path("grade/", grading.GradeApi.as_view(), name="grade"),
    path("practice/quizzes/", quizzes.QuizListApi.as_view(), name="quiz-list"),
    path("practice/quizzes/<int:quiz_id>/", quizzes.QuizDetailApi.as_view(), name="quiz-detail"),
    path(
        "practice/quizzes/<int:quiz_id>/items/<int:position>/answer/",
        quizzes.QuizAnswerApi.as_view(),
        name="quiz-answer",
    ),
    path(
        "practice/quizzes/<int:quiz_id>/items/<int:position>/override/",
        quizzes.QuizOverrideApi.as_view(),
        name="quiz-override",
    ),
    path("practice/mock-interviews/", mock_interviews.MockListApi.as_view(), name="mock-list"),
    path(
        "practice/mock-interviews/<int:interview_id>/",
        mock_interviews.MockDetailApi.as_view(),
        name="mock-detail",
    ),
    path(
        "practice/mock-interviews/<int:interview_id>/answer/",
        mock_interviews.MockAnswerApi.as_view(),
        name="mock-answer",
    ),
    path(
        "practice/mock-interviews/<int:interview_id>/finish/",
        mock_interviews.MockFinishApi.as_view(),
        name="mock-finish",
    ),
]

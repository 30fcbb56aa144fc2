"""Practice API (``/api/v1/practice/`` and ``/api/v1/grade/``), one module per area: ``reviews`` (the
queue, reviews, undo, suspend and bury), ``statistics``, ``grading``, ``quizzes`` and ``mock_interviews``.
Their serializers live in ``prepdeck.practice.serializers``. Everything here is the signed-in user's own."""

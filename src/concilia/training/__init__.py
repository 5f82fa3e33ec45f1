"""Staff training: courses, quizzes, certification, the social-media policy and its acknowledgements."""

"""Staff training: courses, quizzes, certificates, the social-media policy, acknowledgements."""

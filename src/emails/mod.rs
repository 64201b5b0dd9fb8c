//! The emails a release sends: [VOTE], [RESULT][VOTE] and [ANNOUNCE], rendered from templates.

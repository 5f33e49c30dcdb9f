"""Data of the incidents app."""

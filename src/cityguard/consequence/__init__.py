"""Threat-zone models for chemical accidents (dispersion)."""

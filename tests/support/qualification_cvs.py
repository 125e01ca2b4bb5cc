"""CVs and a job written for the qualification tests: one CV meets every stated requirement, one falls short."""
from __future__ import annotations

# Written for these tests: a data engineer whose CV names PostgreSQL and MySQL but never "SQL",
# and Flask but never "Python"; five years of dated work.
DATA_ENGINEER_CV = """RATNA PUSPITA
Data Engineer

PENGALAMAN KERJA
PT Sungai Data - Data Engineer       Jan 2021 - Des 2025
• Membangun pipeline ETL dengan Flask dan Airflow di atas PostgreSQL dan MySQL.
• Menyiapkan laporan stok dengan pivot table.

PENDIDIKAN
S1 Sistem Informasi, Institut Teknologi Sepuluh Nopember, 2016 - 2020

KEAHLIAN
Flask, PostgreSQL, MySQL, Docker
"""
FRESH_GRADUATE_CV = """ANDI PRATAMA

PENDIDIKAN
SMK Negeri 1 Surabaya, jurusan Rekayasa Perangkat Lunak, 2022 - 2025

KEAHLIAN
HTML, CSS
"""
UNDATED_HISTORY_CV = """SITI AMINAH

PENGALAMAN KERJA
Staf administrasi gudang di CV Maju Bersama: mencatat barang masuk dan keluar.

KEAHLIAN
Microsoft Excel
"""

# PostgreSQL and MySQL imply SQL, Flask implies Python; "Kubernetes ... is a plus" makes it a nice-to-have.
ENGINEERING_JOB = {
    "title": "Backend Developer",
    "description": "Build data APIs.",
    "requirements": ["Minimum 3 years as a developer", "Experience with Kubernetes is a plus"],
    "required_skills": ["Python", "Django | Flask", "SQL", "Docker", "Redis"],
    "nice_to_have_skills": ["MySQL"],
    "min_experience_years": 3,
    "education_level": "S1",
}

"""Numbers that are names, years or ids are explained, never review noise (issue 15).

Every text is a real criterion of the development split (Chia or LCT, file named);
before patterns v9 each went to review with ``unparsed-number`` and nothing else.
The limits beside such names are still read.
"""

from __future__ import annotations

import pytest

from normalizer.extract.rules import RulesExtractor
from normalizer.models import Criterion
from normalizer.pipeline import normalize_text

EXTRACTOR = RulesExtractor()

NAMES = [
    # enzymes and alleles
    ("NCT02406885_exc", "Strong inducers of CYP 3A4"),
    ("NCT02406885_exc", "Combined P-glycoprotein inducer and strong CYP 3A4 inducer"),
    ("NCT02550080_exc", "A positive result for HLA-B*1301 in those subjects randomised to the "
                        "genetic screening arm."),
    # calendar years and spans
    ("NCT03866564", "Former professional football play from 1960 to present."),
    ("NCT03867721", "All individuals affected by NMDs attending our Centre for Home Mechanical "
                    "Ventilation between January 2015 and December 2018 who required daytime MPV"),
    ("NCT03928964", "With first-line treatment carried out between 2007 and June 2016."),
    ("NCT03352869_inc", "PCOS diagnosis based on 2003 Rotterdam criteria"),
    # editions, codes and ids
    ("NCT03926039", "Primary liver cancer patients (ICD 10 is C22.0) and Barcelona stage "
                    "(BCLC stage) 0-A."),
    ("NCT02969876_inc", "Meets Diagnostic and Statistical Manual of Mental Disorders (Versions 4 "
                        "and 5) criteria for and Major Depressive Disorder."),
    ("NCT03929497", "The patient completed Study 17972A."),
    # stages and types that are diagnoses
    ("NCT02337764_exc", "The participant has Modified Hoehn & Yahr stage 5 (or stage 5 at eather "
                        "on-time or off-time for the participant with wearing off phenomenon)."),
    ("NCT03866512", "Any diagnosed metabolic impairment (e.g. type 1 or 2 diabetes)"),
    # radionuclides and labelled tracers
    ("NCT02833623_inc", "confirmed diagnosis of H. pylori infection by at least one of the "
                        "following methods: 13C-urea breath test, histology, rapid urease test "
                        "or bacterial culture"),
    ("NCT03868020", "Planned standard of care 18F-FDG PET CT examination"),
    ("NCT02312960_inc", "Subject was previously enrolled in a selected company sponsored feeder "
                        "trial, and has received at least 1 dose of radium 223 dichloride or "
                        "placebo in the feeder trial"),
    # products, receptors, excipients, imaging
    ("NCT03862690", "Available and documented HbA1c value less than or equal to 12 weeks prior "
                    "to initiation of NovoMix® 30 treatment"),
    ("NCT03249311_exc", "Current use of Triptans (5HT1 Agonists)"),
    ("NCT00679341_inc", "Human epidermal growth factor receptor 2 (HER2)-positive."),
    ("NCT00679341_exc", "Known hypersensitivity to any of the study drugs, including the "
                        "excipients, or any drugs formulated in polysorbate 80."),
    # degrees of heart block, with ordinals or a degree sign
    ("NCT02590822_exc", "Presence of arrhythmia (including atrial fibrillation, atrial flutter, "
                        "or 2nd or 3rd degree atrioventricular block)"),
    ("NCT01803438_exc", "Subject has 2° type II, 3° degree AV-block or left/right bundle branch "
                        "block pattern."),
    # parts of a study or a classification, sections, pages, cited works
    ("NCT02254668_exc", "insufficient contraception (only for substudy 3)"),
    ("NCT02664558_exc", "WHO clinical classification Groups 2-5"),
    ("NCT03924934", "Community contact of a participant in Category 1 and/or 3."),
    ("NCT02510404_exc", "Patients with other uncontrolled infections (see 2.3.2 for definitions)"),
    ("NCT02940912_inc", "Idiopathic Parkinson's disease ( Hughes AJ et al. 2001)"),
    # ordinals naming a thing; criteria named by a body and year; interview versions
    ("NCT03864822", "Pain in the region posteriorly between the inferior border of the 12th "
                    "rib and the lower gluteal fold (low back pain) at the time of recruitment"),
    ("NCT03861325", "The patient has septic shock as defined by the 3rd International "
                    "Conference for the definition of sepsis and septic shock"),
    ("NCT03924960", "Subjects diagnosed according to the American College of Rheumatology "
                    "2016 diagnostic criteria for fibromyalgia."),
    ("NCT03920475", "Patients with uni- or bipolar depression, diagnosed according to the "
                    "criteria of the DSM-IV via MINI 6.0 diagnostic tool."),
    # tests, drugs, enzymes, genes and ids that hold a number
    ("NCT03866915", "Patients unable to perform the 6MWT"),
    ("NCT03864068", "Women with known 21-hydroxylase deficiency or other enzyme deficiency "
                    "leading to the congenital adrenal hyperplasia."),
    ("NCT02406885_exc", "Combined P-glycoprotein and strong cytochrome P450 (CYP) 3A4 inhibitor"),
    ("NCT02743598_exc", "Medullary thyroid carcinoma (MTC) or Multiple Endocrine Neoplasia "
                        "Syndrome Type 2 (MEN 2)"),
    ("NCT03382106_exc", "Nitroglycerin usage or nitrates and use of phosphodiesterase 5 (PDE5) "
                        "inhibitors"),
    ("NCT03389061_inc", "Patients with SOF/VEL treatment for the treatment of chronic HCV "
                        "genotype 1 through 6."),
    ("NCT03864835", "\u2022Enrollment and completion of IRB study # 00011797"),
    ("NCT03927456", "Patients who received prior treatment with any CDK4/6 inhibitor, "
                    "everolimus or fulvestant."),
    ("NCT03868163", "Treatment-na\u00efve or - pegIFN (or IFN), and/or Ribavirin (RBV) and/or "
                    "sofosbuvir (PRS) experienced with confirmed CHC, genotypes 1, 2, 3, 4, 5, "
                    "or 6, with or without compensated cirrhosis, receiving combination therapy "
                    "with the all oral GLE/PIB regimen according to standard of care, "
                    "international guidelines and in line with the current local label."),
]


def read(text: str) -> Criterion:
    doc = normalize_text(f"Inclusion Criteria:\n- {text}\n", name="t", extractor=EXTRACTOR)
    [criterion] = doc.criteria
    return criterion


@pytest.mark.parametrize(("source", "text"), NAMES, ids=[f"{s}:{t[:30]}" for s, t in NAMES])
def test_a_number_in_a_name_is_explained(source: str, text: str) -> None:
    criterion = read(text)
    assert [f.code for f in criterion.findings] == []
    assert criterion.constraints == []
    assert criterion.status == "accepted"


def test_the_limit_beside_a_stage_is_still_read() -> None:
    # NCT02590822 exc: "stage 5" is the disease, the eGFR is the limit
    criterion = read("Stage 4 or 5 chronic kidney disease (eGFR< 30ml/min/1.73m2),")
    [egfr] = criterion.constraints
    assert egfr.variable == "egfr" and egfr.upper is not None
    assert (egfr.upper.value, egfr.upper.inclusive) == (30, False)
    assert criterion.status == "accepted"


def test_a_year_span_needs_years_on_both_sides() -> None:
    criterion = read("Patients between 18 and 65 years of age")
    [age] = criterion.constraints
    assert age.variable == "age" and age.lower is not None and age.upper is not None
    assert (age.lower.value, age.upper.value) == (18, 65)


def test_the_limit_beside_an_imaging_name_is_still_read() -> None:
    # NCT03255044 inc: "2D" names the echocardiography; the LVEF is the limit
    criterion = read("ejection fraction < 40 % as assessed by 2D echocardiography")
    [lvef] = criterion.constraints
    assert (lvef.variable, lvef.lower, lvef.unit) == ("lvef", None, "%")
    assert lvef.upper is not None and (lvef.upper.value, lvef.upper.inclusive) == (40, False)
    assert criterion.status == "accepted"


def test_a_mass_number_alone_is_no_tracer() -> None:
    # a tracer is "18F-FDG" or "[18F]"; a French size stays a number to read or review
    criterion = read("Femoral sheath of 18F or less")
    assert criterion.status == "needs_review"

"""Training is deterministic, fast, and its model file is safe to load."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from salon.antispam.engine import BaseModel, SpamEngine, Submission, load_corpora, train
from salon.antispam.engine.model import FORMAT_VERSION, TrainingConfig


@pytest.fixture(scope="module")
def small_rows():
    rows = load_corpora(["youtube"])
    return rows[::3]


@pytest.fixture(scope="module")
def small_model(small_rows):
    return train(small_rows, TrainingConfig(calibration_folds=2))


def test_training_is_deterministic(small_rows):
    config = TrainingConfig(calibration_folds=2)
    first = train(small_rows, config)
    second = train(small_rows, config)
    assert np.array_equal(first.weights, second.weights)
    assert first.intercept == second.intercept
    assert first.platt_slope == second.platt_slope
    assert first.version == second.version


def test_trained_model_separates_spam_from_ham(small_model):
    engine = SpamEngine(small_model)
    spam = engine.check(
        Submission(content="check out my channel and subscribe http://youtube.com/user/x")
    )
    ham = engine.check(Submission(content="this song reminds me of summer 2012, love it"))
    assert spam.score > ham.score


def test_model_file_round_trip_without_pickle(tmp_path, small_model):
    model = small_model
    path = tmp_path / "model.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as archive:  # would fail on pickled objects
        metadata = json.loads(str(archive["metadata"]))
    assert metadata["format_version"] == FORMAT_VERSION
    assert "DATE" not in json.dumps(metadata)
    loaded = BaseModel.load(path)
    assert np.array_equal(loaded.weights, model.weights)
    assert loaded.version == model.version


def test_unknown_model_format_is_refused(small_model):
    data = small_model.to_bytes()
    small_model.metadata["format_version"] = 999
    try:
        with pytest.raises(ValueError):
            BaseModel.from_bytes(small_model.to_bytes())
    finally:
        small_model.metadata["format_version"] = FORMAT_VERSION
    assert BaseModel.from_bytes(data).version == small_model.version


def test_shipped_model_is_a_plain_archive():
    from salon.antispam.engine.corpora import spam_data_dir

    data = (spam_data_dir() / "model.npz").read_bytes()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == ["idf.npy", "metadata.npy", "scalars.npy", "weights.npy"]
    assert BaseModel.from_bytes(data).metadata["training_rows"] > 10_000


def test_date_column_is_never_read(tmp_path):
    from salon.antispam.engine.corpora import read_youtube

    path = tmp_path / "video.csv"
    path.write_text(
        "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nid1,Ann,,hello there,1\nid2,Bob,2014-01-01,hi,0\n"
    )
    rows = read_youtube(path)
    assert [r.text for r in rows] == ["hello there", "hi"]
    assert all("2014" not in repr(r) for r in rows)

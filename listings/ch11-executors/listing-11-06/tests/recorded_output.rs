//! The run the page shows is `output.txt`: this test reruns the listing and
//! compares by its `[package.metadata.book] output` rule (`ci/recording`).
recording::recorded_output_test!();

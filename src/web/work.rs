//! The work a response does after its headers are out, so the rate limit charges it too.
//!
//! The guard charges a request by the time its handler took (`ratelimit::extra_cost`), but an
//! export's rows are read and serialised on a blocking thread while the body streams, and the
//! compression middleware compresses a body as it is sent: both after the handler returned.
//! A [`WorkMeter`] counts that time: the guard makes one per request and runs the handler in
//! its scope ([`scope`]); work started there (an export's task, see `api::exports::stream`)
//! takes it with [`current`] and adds its busy time; and the guard wraps the response body in
//! a [`MeteredBody`], which adds the time spent producing each frame and, when the body ends
//! or is dropped, calls back with the total so the rest is charged. Time the body waits for
//! its client is not counted: a slow client is not charged for its slowness.

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Time spent on one request's response, beyond its handler.
#[derive(Default, Debug)]
pub struct WorkMeter {
    nanos: AtomicU64,
}

impl WorkMeter {
    pub fn add(&self, d: Duration) {
        let n = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(n, Ordering::Relaxed);
    }

    pub fn total(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }
}

/// A request admitted and not yet charged: what it has cost so far, which the rate limit
/// counts against its client's bucket when judging the client's next request
/// (`RateLimiter::check_running`). While the handler runs that is the time since it started;
/// once the headers are out, the handler's time plus the work its body has done since.
#[derive(Debug)]
pub struct Running {
    started: Instant,
    handled: std::sync::OnceLock<Duration>,
    meter: Arc<WorkMeter>,
}

impl Running {
    /// Admitted at `started`; `meter` counts its body's work.
    pub fn new(meter: Arc<WorkMeter>, started: Instant) -> Self {
        Self {
            started,
            handled: std::sync::OnceLock::new(),
            meter,
        }
    }

    /// The handler returned at `now`: from then on only the body's work counts. Returns the
    /// handler's time (the first call's).
    pub fn handled(&self, now: Instant) -> Duration {
        *self
            .handled
            .get_or_init(|| now.saturating_duration_since(self.started))
    }

    /// The cost so far, at `now`.
    pub fn so_far(&self, now: Instant) -> Duration {
        match self.handled.get() {
            None => now.saturating_duration_since(self.started),
            Some(h) => *h + self.meter.total(),
        }
    }
}

tokio::task_local! {
    static METER: Arc<WorkMeter>;
}

/// Runs `f` with `meter` as the request's meter.
pub async fn scope<F: std::future::Future>(meter: Arc<WorkMeter>, f: F) -> F::Output {
    METER.scope(meter, f).await
}

/// The meter of the request being handled, if the guard made one.
pub fn current() -> Option<Arc<WorkMeter>> {
    METER.try_with(Arc::clone).ok()
}

/// Adds the time between [`BusyClock::resume`] and [`BusyClock::pause`] to a meter: a task
/// that waits for its client (a full channel) between pieces of work counts only the work.
pub struct BusyClock {
    meter: Option<Arc<WorkMeter>>,
    since: Option<Instant>,
}

impl BusyClock {
    /// Running from now.
    pub fn start(meter: Option<Arc<WorkMeter>>) -> Self {
        Self {
            meter,
            since: Some(Instant::now()),
        }
    }

    pub fn pause(&mut self) {
        if let (Some(m), Some(t)) = (&self.meter, self.since.take()) {
            m.add(t.elapsed());
        }
    }

    pub fn resume(&mut self) {
        self.since.get_or_insert_with(Instant::now);
    }
}

impl Drop for BusyClock {
    fn drop(&mut self) {
        self.pause();
    }
}

/// What sending `bytes` to the client costs the server beyond producing them (the kernel's
/// copies and the TCP stack; no request's clock sees it): 2 ms per MiB, a little more than
/// measured on loopback, so a client asking for large answers is charged for sending them.
pub const SEND_COST_PER_MIB: Duration = Duration::from_millis(2);

fn send_cost(bytes: usize) -> Duration {
    SEND_COST_PER_MIB.mul_f64(bytes as f64 / (1024.0 * 1024.0))
}

/// A response body that adds the time spent producing each frame to `meter` and, once it is
/// done (ended or dropped), calls `done` with the meter's total.
pub struct MeteredBody<F: FnOnce(Duration) + Send + Sync + 'static> {
    inner: BoxBody<Bytes, std::io::Error>,
    meter: Arc<WorkMeter>,
    done: Option<F>,
}

impl<F: FnOnce(Duration) + Send + Sync + 'static> MeteredBody<F> {
    pub fn new(inner: BoxBody<Bytes, std::io::Error>, meter: Arc<WorkMeter>, done: F) -> Self {
        Self {
            inner,
            meter,
            done: Some(done),
        }
    }

    fn finish(&mut self) {
        if let Some(done) = self.done.take() {
            done(self.meter.total());
        }
    }
}

impl<F: FnOnce(Duration) + Send + Sync + 'static> HttpBody for MeteredBody<F> {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let t = Instant::now();
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        self.meter.add(t.elapsed());
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.meter.add(send_cost(data.len()));
        }
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.finish();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<F: FnOnce(Duration) + Send + Sync + 'static> Drop for MeteredBody<F> {
    fn drop(&mut self) {
        self.finish();
    }
}

// `F` is only ever called once, from `&mut self`: the body is `Unpin` whatever `F` is.
impl<F: FnOnce(Duration) + Send + Sync + 'static> Unpin for MeteredBody<F> {}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::sync::Mutex;

    fn slow_stream(pieces: usize, each: Duration) -> BoxBody<Bytes, std::io::Error> {
        let s = futures_util::stream::iter((0..pieces).map(move |_| {
            // Work done while the body is polled (as compression is).
            std::thread::sleep(each);
            Ok::<_, std::io::Error>(Frame::data(Bytes::from_static(b"x")))
        }));
        http_body_util::StreamBody::new(s).boxed()
    }

    #[tokio::test]
    async fn the_time_producing_frames_is_reported_once_when_the_body_ends() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let meter = Arc::new(WorkMeter::default());
        let body = MeteredBody::new(
            slow_stream(3, Duration::from_millis(20)),
            meter.clone(),
            move |d| s.lock().unwrap().push(d),
        );
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(&bytes[..], b"xxx");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "reported once: {seen:?}");
        assert!(seen[0] >= Duration::from_millis(60), "{seen:?}");
    }

    #[tokio::test]
    async fn a_body_dropped_unread_reports_what_was_done() {
        let seen = Arc::new(Mutex::new(None));
        let s = seen.clone();
        let meter = Arc::new(WorkMeter::default());
        meter.add(Duration::from_millis(7));
        let body = MeteredBody::new(slow_stream(3, Duration::ZERO), meter, move |d| {
            *s.lock().unwrap() = Some(d)
        });
        drop(body);
        assert_eq!(*seen.lock().unwrap(), Some(Duration::from_millis(7)));
    }

    #[tokio::test]
    async fn sending_a_large_body_is_charged_by_its_size() {
        let seen = Arc::new(Mutex::new(None));
        let s = seen.clone();
        let inner = http_body_util::Full::new(Bytes::from(vec![b'x'; 4 * 1024 * 1024]))
            .map_err(|never| match never {})
            .boxed();
        let body = MeteredBody::new(inner, Arc::new(WorkMeter::default()), move |d| {
            *s.lock().unwrap() = Some(d)
        });
        assert_eq!(body.collect().await.unwrap().to_bytes().len(), 4 << 20);
        let d = seen.lock().unwrap().unwrap();
        assert!(d >= SEND_COST_PER_MIB * 4, "4 MiB sent: {d:?}");
    }

    #[test]
    fn a_fixed_body_keeps_its_size() {
        let inner = http_body_util::Full::new(Bytes::from_static(b"hello"))
            .map_err(|never| match never {})
            .boxed();
        let body = MeteredBody::new(inner, Arc::new(WorkMeter::default()), |_| {});
        assert_eq!(body.size_hint().exact(), Some(5));
    }

    #[tokio::test]
    async fn work_in_scope_finds_the_meter_and_a_paused_clock_counts_only_work() {
        let meter = Arc::new(WorkMeter::default());
        assert!(current().is_none());
        let found = scope(meter.clone(), async { current() }).await.unwrap();
        let mut clock = BusyClock::start(Some(found));
        std::thread::sleep(Duration::from_millis(10));
        clock.pause();
        std::thread::sleep(Duration::from_millis(400)); // waiting: not counted
        clock.resume();
        std::thread::sleep(Duration::from_millis(10));
        drop(clock);
        let t = meter.total();
        assert!(
            t >= Duration::from_millis(20) && t < Duration::from_millis(400),
            "{t:?}"
        );
    }
}

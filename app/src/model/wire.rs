//! How a page's data crosses the wire: [`Compact`], the server functions' protocol, and
//! [`Postcard`], the codec of the data a page carries in its HTML.
//!
//! The browser reads both as postcard: field after field, no names, so the bundle has
//! no JSON decoder per type (serde_json's decoder for a struct matches every field's
//! name and accepts an array too; postcard's reads the fields in order). Everyone else
//! gets JSON: a server function answers postcard only to a request whose `Accept` names
//! it, as the pages' own calls do, and JSON to any other (tests, scripts, curl). What a
//! server function takes is a form, as before, so forms work without JavaScript.

use http::Method;
use leptos::server::{
    codee::{Decoder, Encoder},
    FromEncodedStr, IntoEncodedString,
};
use leptos::server_fn::{
    client::Client,
    codec::{Encoding, FromReq, IntoReq, PostUrl},
    error::{FromServerFnError, ServerFnErrorErr},
    redirect::call_redirect_hook,
    request::Req,
    response::{ClientRes, TryRes},
    server::Server,
    Protocol,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::marker::PhantomData;

/// The content type a browser asks for and gets.
pub const POSTCARD: &str = "application/x-postcard";

/// Whether a request's `Accept` asks for postcard (the pages' calls do; nothing else
/// does by chance): its answer, and its error, are postcard then, and JSON otherwise.
pub fn asks_for_postcard(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| a.contains(POSTCARD))
}

/// The server functions' protocol: the arguments as `In` encodes them (a URL-encoded
/// form `POST` by default, as Leptos's own default), the answer as postcard to the pages
/// and as JSON to anyone else. `#[server(protocol = Compact)]`, or `Compact<Json>` for
/// arguments sent as JSON.
pub struct Compact<In = PostUrl>(PhantomData<In>);

impl<In, Input, Output, C, S, E> Protocol<Input, Output, C, S, E> for Compact<In>
where
    In: Encoding,
    Input: IntoReq<In, C::Request, E> + FromReq<In, S::Request, E> + Send,
    Output: Serialize + DeserializeOwned + Send,
    E: FromServerFnError + Send,
    C: Client<E>,
    S: Server<E>,
{
    const METHOD: Method = In::METHOD;

    async fn run_server<F, Fut>(request: S::Request, server_fn: F) -> Result<S::Response, E>
    where
        F: Fn(Input) -> Fut + Send,
        Fut: std::future::Future<Output = Result<Output, E>> + Send,
    {
        let compact = asks_for_postcard(request.accepts().as_deref());
        let input = Input::from_req(request).await?;
        let output = server_fn(input).await?;
        if compact {
            let bytes = postcard::to_allocvec(&output).map_err(serialization)?;
            S::Response::try_from_bytes(POSTCARD, bytes.into())
        } else {
            let text = serde_json::to_string(&output).map_err(serialization)?;
            S::Response::try_from_string("application/json", text)
        }
    }

    async fn run_client(path: &str, input: Input) -> Result<Output, E> {
        let res = C::send(input.into_req(path, POSTCARD)?).await?;
        let status = res.status();
        let location = res.location();
        let redirected = res.has_redirect();
        let bytes = res.try_into_bytes().await?;
        if (400..=599).contains(&status) {
            // The error's own encoding (`AppError`'s is postcard).
            return Err(E::de(bytes));
        }
        let output = postcard::from_bytes(&bytes).map_err(|e| {
            E::from_server_fn_error(ServerFnErrorErr::Deserialization(e.to_string()))
        })?;
        if (300..=399).contains(&status) || redirected {
            call_redirect_hook(&location);
        }
        Ok(output)
    }
}

fn serialization<E: FromServerFnError>(e: impl std::fmt::Display) -> E {
    E::from_server_fn_error(ServerFnErrorErr::Serialization(e.to_string()))
}

/// The codec of the data a page carries from its render to the browser (base64 in the
/// HTML), read with the same decoder as the server functions' answers.
pub struct Postcard;

impl<T: Serialize> Encoder<T> for Postcard {
    type Error = postcard::Error;
    type Encoded = Vec<u8>;

    fn encode(value: &T) -> Result<Vec<u8>, Self::Error> {
        postcard::to_allocvec(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Postcard {
    type Error = postcard::Error;
    type Encoded = [u8];

    fn decode(encoded: &[u8]) -> Result<T, Self::Error> {
        postcard::from_bytes(encoded)
    }
}

/// How the live stream writes an event's data: JSON, its default (for scripts, tests and
/// anyone reading it by hand), or postcard in base64 (`GET /live?wire=postcard`, as the
/// pages ask for it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Postcard,
}

/// `value` as [`Postcard`] in base64, one line: as a page's data is written in its HTML
/// (Leptos's encoding of a binary codec's bytes).
pub fn to_base64<T: Serialize>(value: &T) -> Result<String, postcard::Error> {
    <Postcard as Encoder<T>>::encode(value).map(IntoEncodedString::into_encoded_string)
}

/// What [`to_base64`] wrote.
pub fn from_base64<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let bytes = <[u8]>::from_encoded_str(text).map_err(|e| e.to_string())?;
    <Postcard as Decoder<T>>::decode(&bytes).map_err(|e| e.to_string())
}

//! `paygate merchant create|list`.

use super::DatabaseArgs;
use paygate_core::ids::{generate_imp_key, generate_secret};
use paygate_core::request_pay::parse_http_url;
use paygate_core::{Clock, MerchantCode, SystemClock};
use paygate_store::{NewMerchant, StoreError};
use serde_json::json;

#[derive(clap::Subcommand)]
pub enum MerchantCommand {
    /// Create a merchant; prints its credentials (the secret is shown only this once).
    Create(CreateArgs),
    /// List merchants (no secrets).
    List(ListArgs),
}

#[derive(clap::Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    /// KakaoPay merchant id (cid).
    #[arg(long, default_value = "TC0ONETIME")]
    pub kakaopay_cid: String,
    /// KakaoPay secret key of that cid.
    #[arg(long, env = "PAYGATE_KAKAOPAY_SECRET_KEY")]
    pub kakaopay_secret_key: Option<String>,
    /// Default webhook URL.
    #[arg(long)]
    pub notice_url: Option<String>,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[arg(long)]
    pub json: bool,
}

/// Attempts at drawing an unused merchant code / key.
const CREATE_ATTEMPTS: usize = 5;

pub async fn run(cmd: MerchantCommand) -> Result<(), String> {
    match cmd {
        MerchantCommand::Create(args) => create(args).await,
        MerchantCommand::List(args) => list(args).await,
    }
}

async fn create(args: CreateArgs) -> Result<(), String> {
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("--name must be 1 to 100 characters".into());
    }
    if args.kakaopay_cid.len() != 10
        || !args.kakaopay_cid.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err("--kakaopay-cid must be 10 letters or digits (e.g. TC0ONETIME)".into());
    }
    if let Some(url) = &args.notice_url {
        parse_http_url("--notice-url", url).map_err(|e| e.message)?;
    }
    let store = args.db.open().await?;
    let imp_secret = generate_secret(32);
    let webhook_secret = format!("whsec_{}", generate_secret(24));
    let mut attempt = 0;
    let merchant = loop {
        attempt += 1;
        let new = NewMerchant {
            merchant_code: MerchantCode::generate(),
            name: name.to_owned(),
            imp_key: generate_imp_key(),
            imp_secret: imp_secret.clone(),
            kakaopay_cid: Some(args.kakaopay_cid.clone()),
            kakaopay_secret_key: args.kakaopay_secret_key.clone(),
            notice_url: args.notice_url.clone(),
            webhook_secret: Some(webhook_secret.clone()),
            created_at: SystemClock.now(),
        };
        match store.create_merchant(new).await {
            Ok(m) => break m,
            Err(StoreError::Conflict(_)) if attempt < CREATE_ATTEMPTS => continue,
            Err(e) => return Err(format!("cannot create merchant: {e}")),
        }
    };
    store.close().await;
    if args.json {
        println!(
            "{}",
            json!({
                "merchant_code": merchant.merchant_code.as_str(),
                "imp_key": merchant.imp_key,
                "imp_secret": imp_secret,
                "webhook_secret": webhook_secret,
            })
        );
    } else {
        println!("merchant_code  {}", merchant.merchant_code);
        println!("imp_key        {}", merchant.imp_key);
        println!("imp_secret     {imp_secret}   (shown once; stored only as a hash)");
        println!("webhook_secret {webhook_secret}");
    }
    Ok(())
}

async fn list(args: ListArgs) -> Result<(), String> {
    let store = args.db.open().await?;
    let merchants = store.list_merchants().await.map_err(|e| e.to_string())?;
    store.close().await;
    if args.json {
        let list: Vec<_> = merchants
            .iter()
            .map(|m| {
                json!({
                    "merchant_code": m.merchant_code.as_str(),
                    "name": m.name,
                    "imp_key": m.imp_key,
                    "kakaopay_cid": m.kakaopay_cid,
                    "notice_url": m.notice_url,
                    "created_at": m.created_at,
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
    } else {
        for m in merchants {
            println!(
                "{}  {}  imp_key={}  cid={}",
                m.merchant_code,
                m.name,
                m.imp_key,
                m.kakaopay_cid.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(())
}

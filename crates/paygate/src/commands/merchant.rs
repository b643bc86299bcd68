//! `paygate merchant create|list`.

use super::DatabaseArgs;
use paygate_core::ids::{generate_imp_key, generate_secret};
use paygate_core::request_pay::parse_http_url;
use paygate_core::{Clock, MerchantCode, SystemClock};
use paygate_store::{MerchantUpdate, NewMerchant, StoreError};
use serde_json::json;

#[derive(clap::Subcommand)]
pub enum MerchantCommand {
    /// Create a merchant; prints its credentials (the secret is shown only this once).
    Create(CreateArgs),
    /// List merchants (no secrets).
    List(ListArgs),
    /// Change a merchant's settings, rotate its API key or webhook secret.
    Update(UpdateArgs),
}

#[derive(clap::Args)]
pub struct UpdateArgs {
    #[arg(long)]
    pub merchant_code: String,
    /// Default webhook URL ("" clears it).
    #[arg(long)]
    pub notice_url: Option<String>,
    /// Webhook body format.
    #[arg(long, value_parser = ["json", "form"])]
    pub webhook_format: Option<String>,
    /// When REST cancels send webhooks: `flag` (only with enable_webhook=true) or `always`.
    #[arg(long, value_parser = ["flag", "always"])]
    pub webhook_on_cancel: Option<String>,
    #[arg(long)]
    pub kakaopay_cid: Option<String>,
    #[arg(long)]
    pub kakaopay_secret_key: Option<String>,
    /// Issue a new webhook secret (the old one keeps signing for 24 hours beside it).
    #[arg(long)]
    pub rotate_webhook_secret: bool,
    /// Issue a new imp_key/imp_secret pair; the old pair and its tokens stop working.
    #[arg(long)]
    pub rotate_api_key: bool,
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[arg(long)]
    pub json: bool,
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
        MerchantCommand::Update(args) => update(args).await,
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

async fn update(args: UpdateArgs) -> Result<(), String> {
    let notice_url = match args.notice_url.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(url) => Some(Some(
            parse_http_url("--notice-url", url).map_err(|e| e.message)?,
        )),
    };
    if let Some(cid) = &args.kakaopay_cid
        && (cid.len() != 10 || !cid.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err("--kakaopay-cid must be 10 letters or digits".into());
    }
    let store = args.db.open().await?;
    let code = args.merchant_code.as_str();
    let update = MerchantUpdate {
        notice_url,
        webhook_format: args.webhook_format,
        webhook_cancel_policy: args.webhook_on_cancel,
        kakaopay_cid: args.kakaopay_cid,
        kakaopay_secret_key: args.kakaopay_secret_key,
    };
    let mut merchant = store
        .update_merchant(code, update)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no merchant {code}"))?;
    let mut out = json!({
        "merchant_code": merchant.merchant_code.as_str(),
        "notice_url": merchant.notice_url,
        "webhook_format": merchant.webhook_format,
        "webhook_on_cancel": merchant.webhook_cancel_policy,
        "kakaopay_cid": merchant.kakaopay_cid,
    });
    if args.rotate_webhook_secret {
        let secret = format!("whsec_{}", generate_secret(24));
        store
            .rotate_webhook_secret(code, &secret, SystemClock.now())
            .await
            .map_err(|e| e.to_string())?;
        out["webhook_secret"] = json!(secret);
    }
    if args.rotate_api_key {
        let (key, secret) = (generate_imp_key(), generate_secret(32));
        if let Some(m) = store
            .rotate_api_key(code, &key, &secret)
            .await
            .map_err(|e| e.to_string())?
        {
            merchant = m;
        }
        out["imp_key"] = json!(merchant.imp_key);
        out["imp_secret"] = json!(secret);
    }
    store.close().await;
    if args.json {
        println!("{out}");
    } else if let Some(map) = out.as_object() {
        for (k, v) in map {
            println!(
                "{k:<18} {}",
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            );
        }
    }
    Ok(())
}

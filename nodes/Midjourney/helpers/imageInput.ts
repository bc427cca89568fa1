import type { IExecuteFunctions } from 'n8n-workflow';

import type { MultipartFile } from '../transport/multipart';
import { checkHttpUrl, invalidInput } from './validation';

/**
 * Describe and Blend accept images up to 10 MB
 * (https://useapi.net/docs/api-midjourney-v3/post-midjourney-jobs-describe,
 * https://useapi.net/docs/api-midjourney-v3/post-midjourney-jobs-blend).
 */
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
const URL_MAX = 2048;

/** One image slot as the user filled it: a URL, or the name of a binary property of the input item. */
export interface ImageSlot {
	imageUrl?: string;
	binaryPropertyName?: string;
}

export type ResolvedImage = { url: string } | { file: MultipartFile };

/**
 * Checks a slot and reads its image: exactly one of URL or binary, the binary an image of at most
 * 10 MB. `label` is how the editor names the slot ("Image", "Image 2").
 */
export async function resolveImageSlot(
	ctx: IExecuteFunctions,
	itemIndex: number,
	slot: ImageSlot,
	label: string,
): Promise<ResolvedImage> {
	const node = ctx.getNode();
	const url = (slot.imageUrl ?? '').trim();
	const property = (slot.binaryPropertyName ?? '').trim();
	if (url && property) {
		throw invalidInput(
			node,
			itemIndex,
			`${label}: both "Image URL" and "Input Binary Field" are set`,
			'Each image comes either from a URL or from a binary field of the input item. Clear one of them.',
		);
	}
	if (!url && !property) {
		throw invalidInput(node, itemIndex, `${label}: set "Image URL" or "Input Binary Field"`);
	}
	if (url) {
		checkHttpUrl(node, itemIndex, `${label} URL`, url, URL_MAX);
		return { url };
	}

	const item = ctx.getInputData()[itemIndex];
	if (!item?.binary?.[property]) {
		const available = Object.keys(item?.binary ?? {});
		throw invalidInput(
			node,
			itemIndex,
			`${label}: the input item has no binary field "${property}"`,
			available.length
				? `Binary fields on this item: ${available.join(', ')}.`
				: 'The input item carries no binary data. Add a node that reads or downloads the image before this one.',
		);
	}
	const binary = ctx.helpers.assertBinaryData(itemIndex, property);
	const mimeType = binary.mimeType ?? '';
	if (!mimeType.startsWith('image/')) {
		throw invalidInput(
			node,
			itemIndex,
			`${label}: binary field "${property}" is not an image (content type "${mimeType || 'unknown'}")`,
			'Midjourney accepts PNG, JPEG, GIF and WebP images.',
		);
	}
	const data = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
	if (data.length > IMAGE_MAX_BYTES) {
		throw invalidInput(
			node,
			itemIndex,
			`${label}: the image is ${(data.length / 1024 / 1024).toFixed(1)} MB, the limit is 10 MB`,
			'Resize or compress the image first (for example with the Edit Image node).',
		);
	}
	return {
		file: {
			data,
			fileName: binary.fileName ?? `${property}.${mimeType.split('/')[1] ?? 'png'}`,
			contentType: mimeType,
		},
	};
}
